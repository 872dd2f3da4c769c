"""One log line per operation on a WebSocket (server/ws_operations.py), on both protocols: a real
subscription driven through the app served by uvicorn in this process, its line read by caplog."""

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from domain.clock import FixedClock
from resolvers.context import Context
from schema.request_scope import current_operation
from server.metrics import Metrics
from server.settings import Settings
from server.ws_operations import OperationLog
from tests.support.app import in_process_app
from tests.support.factories import Caller
from tests.support.in_process import InProcessServer, opened, serve_in_process
from tests.support.live import LEGACY_WS, TRANSPORT_WS, WATCH, in_step, receive
from tests.support.operations import VIEWER
from tests.support.waiting import wait_until


@pytest.fixture
async def served(tmp_path: Path, db: str, clock: FixedClock) -> AsyncIterator[InProcessServer]:
    """The app (Tortoise already set up by `db`, so no lifespan) behind uvicorn's sockets."""
    app = in_process_app(Settings(data_dir=tmp_path / "var", database_url=db), clock=clock)
    async with serve_in_process(app) as server:
        yield server


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


def lines(caplog: pytest.LogCaptureFixture) -> list[Any]:
    return [r for r in caplog.records if r.name == "certs.operations"]


async def logged(caplog: pytest.LogCaptureFixture, count: int) -> list[Any]:
    await wait_until(lambda: len(lines(caplog)) >= count, what=f"{count} operation line(s)")
    return lines(caplog)


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_subscription_stopped_by_the_client_is_logged_once_with_who_and_how_long(
    served: InProcessServer,
    customer: Caller,
    caplog: pytest.LogCaptureFixture,
    protocol: Subprotocol,
) -> None:
    start, stop = ("subscribe", "complete") if protocol == TRANSPORT_WS else ("start", "stop")
    with caplog.at_level(logging.INFO, logger="certs.operations"):
        ws = await opened(served, customer, protocol, "sock-1")
        async with ws:
            await send(ws, {"id": "w1", "type": start, "payload": {"query": WATCH}})
            assert await in_step(ws, protocol) == []  # the subscription is running
            await send(ws, {"id": "w1", "type": stop})
            await wait_until(
                lambda: [r for r in lines(caplog) if r.operation_id == "w1"],
                what="the subscription's line",
            )
    (line,) = [r for r in lines(caplog) if r.operation_id == "w1"]
    assert line.operation_type == "subscription"
    assert line.operation_name == "Watch"
    assert line.ended_by == "client"
    assert line.request_id == "sock-1"
    assert line.transport == "websocket"
    assert line.principal == customer.user.id
    assert line.role == customer.principal.role.value
    assert line.company == customer.principal.company_id
    assert line.events == 0
    assert line.duration_ms > 0
    assert line.error_codes is None


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_subscription_ended_by_the_socket_closing_says_so(
    served: InProcessServer,
    customer: Caller,
    caplog: pytest.LogCaptureFixture,
    protocol: Subprotocol,
) -> None:
    start = "subscribe" if protocol == TRANSPORT_WS else "start"
    with caplog.at_level(logging.INFO, logger="certs.operations"):
        async with await opened(served, customer, protocol, "sock-2") as ws:
            await send(ws, {"id": "w2", "type": start, "payload": {"query": WATCH}})
            assert await in_step(ws, protocol) == []
        await wait_until(
            lambda: [r for r in lines(caplog) if r.operation_id == "w2"],
            what="the subscription's line",
        )
    (line,) = [r for r in lines(caplog) if r.operation_id == "w2"]
    assert (line.operation_type, line.ended_by) == ("subscription", "socket_closed")
    assert line.request_id == "sock-2"


async def test_a_refused_subscription_is_logged_with_its_error_code(
    served: InProcessServer, customer: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="certs.operations"):
        async with await opened(served, customer, TRANSPORT_WS, "sock-3") as ws:
            bad = "subscription Bad { certificateRequestStatusChanged { nope } }"
            await send(ws, {"id": "b1", "type": "subscribe", "payload": {"query": bad}})
            assert (await receive(ws))["type"] == "error"
            (line,) = await logged(caplog, 1)
    assert line.operation_id == "b1"
    assert line.ended_by == "error"
    assert line.error_codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_a_query_over_the_socket_has_its_line_with_its_sql_count(
    served: InProcessServer, customer: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    query = "query Mine " + VIEWER.removeprefix("query ")
    with caplog.at_level(logging.INFO, logger="certs.operations"):
        async with await opened(served, customer, TRANSPORT_WS, "sock-4") as ws:
            await send(ws, {"id": "q1", "type": "subscribe", "payload": {"query": query}})
            assert (await receive(ws))["type"] == "next"
            assert (await receive(ws))["type"] == "complete"
            (line,) = await logged(caplog, 1)
    assert (line.operation_type, line.operation_name) == ("query", "Mine")
    assert line.ended_by == "server"
    assert line.sql_count >= 1
    assert line.events is None
    assert line.principal == customer.user.id


def duration_count(exposition: str, name: str, operation_type: str) -> float:
    """How many operations `graphql_operation_duration_seconds` timed with these labels."""
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == "graphql_operation_duration_seconds_count" and sample.labels == {
                "operation_name": name,
                "operation_type": operation_type,
            }:
                return sample.value
    return 0.0


async def test_queries_and_mutations_over_the_socket_are_timed_as_over_http(
    served: InProcessServer, customer: Caller
) -> None:
    """/metrics read from the server after a query and a mutation sent on a socket; the
    subscription on the same socket is not timed (it lasts as long as its client listens)."""
    query = "query Mine " + VIEWER.removeprefix("query ")
    mutation = "mutation Touch { __typename }"
    metrics_url = f"http://127.0.0.1:{served.port}/metrics"
    async with await opened(served, customer, TRANSPORT_WS, "sock-5") as ws:
        for operation_id, document in (("q1", query), ("q2", query), ("m1", mutation)):
            await send(
                ws, {"id": operation_id, "type": "subscribe", "payload": {"query": document}}
            )
            assert (await receive(ws))["type"] == "next"
            assert (await receive(ws))["type"] == "complete"
        await send(ws, {"id": "w1", "type": "subscribe", "payload": {"query": WATCH}})
        assert await in_step(ws) == []
        await send(ws, {"id": "w1", "type": "complete"})
        async with httpx.AsyncClient() as http:

            async def ended() -> str:
                """The exposition once the subscription no longer runs (empty before)."""
                text = (await http.get(metrics_url)).text
                return text if "\ngraphql_subscriptions 0.0\n" in text else ""

            exposition = await wait_until(ended, what="the subscription to end")
    assert duration_count(exposition, "Mine", "query") == 2
    assert duration_count(exposition, "Touch", "mutation") == 1
    assert "subscription" not in {
        sample.labels.get("operation_type")
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "graphql_operation_duration_seconds_count"
    }


async def test_a_subscription_told_it_lags_ends_by_the_server_with_the_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The lagging path, without a flood of events: the handler's view of what it sent; and what
    /metrics counts of it: a subscription while it runs, then the error code it was sent."""
    metrics = Metrics()
    log = OperationLog(metrics)
    lagging = {"extensions": {"code": "SUBSCRIPTION_LAGGING"}}

    def exposed(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    async def stream() -> None:
        noted = current_operation.get()
        assert noted is not None
        noted["type"] = "subscription"  # as the schema's OperationRecorder notes it
        assert exposed("graphql_subscriptions") == 1
        log.sent({"id": "s1", "type": "next", "payload": {"data": {"x": 1}}})
        log.sent({"id": "s1", "type": "next", "payload": {"data": None, "errors": [lagging]}})
        log.sent({"id": "s1", "type": "complete"})

    context = Context(deps=None, public_base_url="http://testserver")  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="certs.operations"):
        await log.run(context, "s1", "Watch", stream())
    (line,) = lines(caplog)
    assert (line.operation_id, line.ended_by) == ("s1", "server")
    assert line.error_codes == ["SUBSCRIPTION_LAGGING"]
    assert line.principal is None
    assert line.events == 2
    assert exposed("graphql_subscriptions") == 0
    assert exposed("graphql_errors_total", code="SUBSCRIPTION_LAGGING") == 1
