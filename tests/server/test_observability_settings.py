"""Settings of observability and persisted queries: defaults, the environment, and values that
stop the server at start-up instead of being half understood."""

from pathlib import Path

import pytest

from server.app import create_app
from server.logs import logging_config
from server.settings import Settings


def test_defaults() -> None:
    settings = Settings.from_env({}, env_file=None)
    assert settings.log_format == "json"
    assert settings.metrics is True
    assert settings.metrics_allowed_networks == ("127.0.0.0/8", "::1/128")
    assert settings.persisted_queries == "apq"
    assert settings.persisted_queries_cache_size == 1000
    assert settings.otel_exporter_otlp_endpoint is None


def test_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "LOG_FORMAT": " Text ",
            "METRICS": "false",
            "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8, 192.168.1.0/24,",
            "PERSISTED_QUERIES": "ONLY",
            "PERSISTED_QUERIES_CACHE_SIZE": "50",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
        },
        env_file=None,
    )
    assert settings.log_format == "text"
    assert settings.metrics is False
    assert settings.metrics_allowed_networks == ("10.0.0.0/8", "192.168.1.0/24")
    assert settings.persisted_queries == "only"
    assert settings.persisted_queries_cache_size == 50
    assert settings.otel_exporter_otlp_endpoint == "http://collector:4318"


@pytest.mark.parametrize(
    ("name", "value"),
    [("PERSISTED_QUERIES", "sometimes"), ("METRICS_ALLOWED_NETWORKS", "la oficina")],
)
def test_a_malformed_value_stops_the_server_at_start_up(
    tmp_path: Path, name: str, value: str
) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path), name: value}, env_file=None)
    with pytest.raises(ValueError):  # noqa: PT011 - the standard library's messages vary
        create_app(settings)


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config("INFO", "xml")
