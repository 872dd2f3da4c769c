"""Settings for live updates, read from the environment, and the bus they choose."""

from pathlib import Path

import pytest

from events.live_bus import LiveBus
from events.redis_wakeups import RedisNotifier
from server.app import create_app
from server.dependencies import build_bus
from server.settings import Settings


def test_live_update_defaults() -> None:
    settings = Settings.from_env({}, env_file=None)
    assert settings.redis_url is None
    assert settings.redis_channel_prefix == "certs"
    assert settings.ws_keepalive_seconds == 20
    assert settings.ws_connection_init_timeout_seconds == 10
    assert settings.max_subscriptions_per_connection == 20
    assert settings.allowed_origins == ()
    assert settings.subscription_queue_size == 1000
    assert settings.subscription_max_lag_seconds == 1.0
    assert settings.live_poll_seconds == 1.0
    assert settings.live_recheck_seconds == 3.0
    bus = build_bus(settings)
    assert isinstance(bus, LiveBus)
    assert bus.notifier is None  # one process: it polls and wakes itself


def test_live_update_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "REDIS_URL": "redis://cache:6379/2",
            "REDIS_CHANNEL_PREFIX": "certs-staging",
            "WS_KEEPALIVE_SECONDS": "0",
            "WS_CONNECTION_INIT_TIMEOUT_SECONDS": "2.5",
            "MAX_SUBSCRIPTIONS_PER_CONNECTION": "5",
            "ALLOWED_ORIGINS": " https://app.example.co ,https://admin.example.co:8443,, ",
            "SUBSCRIPTION_QUEUE_SIZE": "50",
            "SUBSCRIPTION_MAX_LAG_SECONDS": "2.5",
            "LIVE_POLL_SECONDS": "0.25",
            "LIVE_RECHECK_SECONDS": "1",
        },
        env_file=None,
    )
    assert settings.ws_keepalive_seconds == 0  # "0" turns keep-alive off; it is not "unset"
    assert settings.ws_connection_init_timeout_seconds == 2.5
    assert settings.max_subscriptions_per_connection == 5
    assert settings.allowed_origins == ("https://app.example.co", "https://admin.example.co:8443")
    assert (settings.live_poll_seconds, settings.live_recheck_seconds) == (0.25, 1.0)
    bus = build_bus(settings)
    assert isinstance(bus, LiveBus)
    assert (bus.queue_size, bus.max_lag_seconds) == (50, 2.5)
    assert bus.feed.poll_interval == 0.25
    assert isinstance(bus.notifier, RedisNotifier)
    assert bus.notifier.channel_prefix == "certs-staging"


def test_a_malformed_allowed_origin_stops_the_server_at_start_up(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"DATA_DIR": str(tmp_path), "ALLOWED_ORIGINS": "app.example.co/path"}, env_file=None
    )
    with pytest.raises(ValueError, match="allowed_origins"):
        create_app(settings)


def test_the_rules_numbers_default_to_domain_md_and_are_read_from_the_environment() -> None:
    defaults = Settings.from_env({}, env_file=None).request_rules
    assert (
        defaults.auto_withdraw_days,
        defaults.max_validity_start_days,
        defaults.min_validity_months,
        defaults.max_validity_months,
        defaults.max_valid_from_lag_days,
    ) == (60, 90, 1, 36, 30)
    tuned = Settings.from_env(
        {
            "AUTO_WITHDRAW_DAYS": "30",
            "MAX_VALIDITY_START_DAYS": "60",
            "MIN_VALIDITY_MONTHS": "12",
            "MAX_VALIDITY_MONTHS": "24",
            "MAX_VALID_FROM_LAG_DAYS": "5",
        },
        env_file=None,
    ).request_rules
    assert (
        tuned.auto_withdraw_days,
        tuned.max_validity_start_days,
        tuned.min_validity_months,
        tuned.max_validity_months,
        tuned.max_valid_from_lag_days,
    ) == (30, 60, 12, 24, 5)


def test_impossible_rule_numbers_stop_the_server_at_start_up() -> None:
    with pytest.raises(ValueError, match="min months <= max months"):
        Settings.from_env({"MIN_VALIDITY_MONTHS": "24", "MAX_VALIDITY_MONTHS": "12"}, env_file=None)
