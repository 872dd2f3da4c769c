"""Observability: a request id on every answer and masked error, one log line per operation,
Prometheus metrics on /metrics for allowed addresses only, one traceback per unexpected error."""

import logging
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from domain.clock import FixedClock
from events.metrics import LIVE_HELP
from models.live import LiveEvent, LiveEventKind
from server.logs import JsonFormatter, RequestIdFilter, TextFormatter
from server.settings import Settings
from services import reads
from tests.support.app import in_process_app
from tests.support.factories import Caller
from tests.support.operations import VIEWER

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def test_the_client_s_request_id_comes_back(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "front-42.a"}
    )
    assert response.headers["x-request-id"] == "front-42.a"


async def test_the_trace_id_of_traceparent_is_the_request_id(http: httpx.AsyncClient) -> None:
    response = await http.get("/health", headers={"traceparent": TRACEPARENT})
    assert response.headers["x-request-id"] == TRACE_ID


@pytest.mark.parametrize("given", [None, b"con espacios", b"x" * 200, "a\u00f1o".encode()])
async def test_a_missing_or_unusable_request_id_is_generated(
    http: httpx.AsyncClient, given: bytes | None
) -> None:
    headers = {b"X-Request-ID": given} if given else {}
    response = await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_a_refusal_carries_the_request_id_too(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        content=b"{",
        headers={"Content-Type": "application/json", "X-Request-ID": "r-1"},
    )
    assert response.status_code == 400
    assert response.headers["x-request-id"] == "r-1"


@pytest.fixture
def failing_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fail(*args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("secreto")

    monkeypatch.setattr(reads, "get_user", fail)


async def test_a_masked_error_quotes_the_request_id_and_logs_one_traceback(
    http: httpx.AsyncClient,
    customer: Caller,
    failing_viewer: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        response = await http.post(
            "/graphql",
            json={"query": VIEWER},
            headers={**customer.headers, "X-Request-ID": "ticket-7"},
        )
    [error] = response.json()["errors"]
    assert error["extensions"]["requestId"] == "ticket-7"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    error_id = error["extensions"]["errorId"]
    assert error["message"] == f"Error inesperado. Código de seguimiento: {error_id}."
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]


async def test_one_log_line_per_operation(
    http: httpx.AsyncClient, customer: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())  # as the server's handler does, while it logs
    with caplog.at_level(logging.INFO, logger="certs.operations"):
        await http.post(
            "/graphql",
            json={"query": "query Mine " + VIEWER.removeprefix("query ")},
            headers={**customer.headers, "X-Request-ID": "op-1"},
        )
        await http.post(
            "/graphql", json={"query": "{ viewer { nope } }"}, headers={"X-Request-ID": "op-2"}
        )
    lines = [r for r in caplog.records if r.name == "certs.operations"]
    assert len(lines) == 2
    mine, invalid = lines
    assert mine.operation_name == "Mine"  # type: ignore[attr-defined]
    assert mine.operation_type == "query"  # type: ignore[attr-defined]
    assert mine.principal == customer.user.id  # type: ignore[attr-defined]
    assert mine.company == customer.principal.company_id  # type: ignore[attr-defined]
    assert mine.sql_count >= 1  # type: ignore[attr-defined]
    assert mine.duration_ms > 0  # type: ignore[attr-defined]
    assert mine.error_codes is None  # type: ignore[attr-defined]
    assert invalid.principal is None  # type: ignore[attr-defined]
    assert invalid.error_codes == ["GRAPHQL_VALIDATION_FAILED"]  # type: ignore[attr-defined]

    parsed = orjson.loads(JsonFormatter().format(mine))
    assert parsed["request_id"] == "op-1"
    assert parsed["operation_name"] == "Mine"
    assert parsed["level"] == "INFO"
    assert parsed["pid"] == os.getpid()
    human = TextFormatter().format(mine)
    assert "[op-1]" in human
    assert "operation_name=Mine" in human


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    match = re.search(r"^" + pattern + "$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_metrics_count_operations_and_errors(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    for _ in range(3):
        await http.post(
            "/graphql",
            json={"query": "query Mine " + VIEWER.removeprefix("query ")},
            headers=customer.headers,
        )
    await http.post("/graphql", json={"query": "{ viewer { nope } }"})
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        metric(
            text,
            "graphql_operation_duration_seconds_count",
            operation_name="Mine",
            operation_type="query",
        )
        == 3
    )
    assert metric(text, "graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert metric(text, "graphql_websocket_connections") == 0
    assert metric(text, "graphql_subscriptions") == 0
    assert "outbox_pending_emails" in text
    assert "outbox_oldest_pending_age_seconds" in text


async def test_metrics_are_refused_outside_the_allowed_networks(app: Starlette) -> None:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as outsider:
        response = await outsider.get("/metrics")
    assert response.status_code == 403
    assert response.json() == {
        "errors": [{"message": "No autorizado.", "extensions": {"code": "FORBIDDEN"}}]
    }
    assert "graphql_" not in response.text


async def test_metrics_can_be_turned_off(tmp_path: Path, db: str, clock: FixedClock) -> None:
    app = in_process_app(
        Settings(data_dir=tmp_path / "var", database_url=db, metrics=False), clock=clock
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        assert (await client.get("/metrics")).status_code == 404


async def test_metrics_show_the_live_layer_s_counters(
    app: Starlette, http: httpx.AsyncClient, customer: Caller
) -> None:
    before = (await http.get("/metrics")).text
    for name in LIVE_HELP:
        assert f"# TYPE live_{name} counter" in before
    # A committed change to announce, written a minute ago and not read yet: the lag shows it.
    event = await LiveEvent.create(kind=LiveEventKind.PRINCIPAL, subject_id=customer.user.id)
    await LiveEvent.filter(id=event.id).update(created_at=event.created_at - timedelta(minutes=1))
    lagging = (await http.get("/metrics")).text
    assert metric(lagging, "live_event_lag_seconds") >= 60
    # Read by this process's feed as the server would: caught up.
    assert await app.state.deps.bus.feed.catch_up() == 1
    after = (await http.get("/metrics")).text
    assert metric(after, "live_event_lag_seconds") == 0
    assert metric(after, "live_events_read_total") == metric(before, "live_events_read_total") + 1
    assert metric(after, "live_batches_read_total") == metric(before, "live_batches_read_total") + 1
