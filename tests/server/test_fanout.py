"""Subscriptions in groups (server/fanout.py): real sockets on both protocols against the app
served by uvicorn in this process; events handed to the bus as the event feed hands them."""

import dataclasses
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from domain.clock import FixedClock
from domain.enums import RequestStatus, Role
from events.messages import StatusChanged
from events.metrics import metrics
from models import Company
from resolvers.ids import to_global_id
from server.fanout import Fanout
from server.settings import Settings
from services.auth import revoke_tokens
from services.history import record_request_change
from tests.support.app import in_process_app
from tests.support.factories import Caller, make_caller, make_request
from tests.support.in_process import serve_in_process
from tests.support.live import LEGACY_WS, TRANSPORT_WS, WATCH, in_step, receive, silent
from tests.support.waiting import wait_until
from tuning.light_ws_protocol import LightWSProtocol


@dataclass
class Served:
    app: Starlette
    port: int

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def fanout(self) -> Fanout:
        fanout: Fanout = self.app.state.fanout
        return fanout


@pytest.fixture
async def served(tmp_path: Path, db: str, clock: FixedClock) -> AsyncIterator[Served]:
    """The app (Tortoise already set up by `db`, so no lifespan: no event feed, the tests hand
    events to the bus) behind uvicorn's sockets, as `certs serve` serves them."""
    app = in_process_app(
        Settings(data_dir=tmp_path / "var", database_url=db, max_sockets_per_token=100),
        clock=clock,
    )
    async with serve_in_process(app) as server:
        yield Served(app, server.port)


async def subscribed(
    served: Served,
    caller: Caller,
    protocol: Subprotocol = TRANSPORT_WS,
    op_id: str = "1",
    sock: socket.socket | None = None,
) -> ClientConnection:
    """A socket of `caller` watching every request change it may see, once the server runs it."""
    ws = await connect(
        served.ws_url, subprotocols=[protocol], open_timeout=10, sock=sock, max_queue=1
    )
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {caller.token}"}}
    await ws.send(json.dumps(init))
    assert (await receive(ws, 5))["type"] == "connection_ack"
    start = "subscribe" if protocol == TRANSPORT_WS else "start"
    await ws.send(json.dumps({"id": op_id, "type": start, "payload": {"query": WATCH}}))
    assert await in_step(ws, protocol) == []
    return ws


async def a_rejection(company: Company, caller: Caller) -> StatusChanged:
    """A request of `company` rejected by `caller` (a reviewer): its history row and its event."""
    request = await make_request(company, status=RequestStatus.REJECTED)
    return await record_request_change(
        request,
        from_status=RequestStatus.IN_REVIEW,
        actor=caller.principal,
        at=datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        note="El RUT no está actualizado.",
    )


def deliver(served: Served, event: StatusChanged) -> None:
    served.app.state.deps.bus.deliver(event)


async def changes(
    ws: ClientConnection, count: int, protocol: Subprotocol = TRANSPORT_WS
) -> list[str]:
    """The ids of the requests of the next `count` results on `ws`."""
    kind = "next" if protocol == TRANSPORT_WS else "data"
    ids = []
    for _ in range(count):
        message = await receive(ws)
        assert message["type"] == kind, message
        assert "errors" not in message["payload"], message
        ids.append(message["payload"]["data"]["certificateRequestStatusChanged"]["request"]["id"])
    return ids


async def until_closed(ws: ClientConnection) -> list[dict[str, Any]]:
    """What arrives on `ws` until the server closes it."""
    received = []
    try:
        while True:
            received.append(await receive(ws))
    except ConnectionClosed:
        return received


def request_id(event: StatusChanged) -> str:
    return to_global_id("CertificateRequest", event.subject_id)


async def test_subscribers_with_one_visibility_share_one_group_and_get_every_change_in_order(
    served: Served, company: Company, reviewer: Caller
) -> None:
    another = await make_caller(Role.REVIEWER, name="Otra Revisora")
    first = await subscribed(served, reviewer)
    second = await subscribed(served, another, op_id="dash")
    legacy = await subscribed(served, reviewer, LEGACY_WS, op_id="old")
    # Two reviewers, two protocols: one question, one visibility, one execution per event.
    assert len(served.fanout.groups) == 1
    events = [await a_rejection(company, reviewer) for _ in range(5)]
    for event in events:
        deliver(served, event)
    expected = [request_id(event) for event in events]
    assert await changes(first, 5) == expected
    assert await changes(second, 5) == expected
    assert await changes(legacy, 5, LEGACY_WS) == expected
    for ws in (first, second, legacy):
        await ws.close()
    await wait_until(lambda: not served.fanout.groups, what="the group to end with its members")


async def test_a_stopped_subscription_gets_nothing_more_and_its_id_can_start_it_again(
    served: Served, company: Company, reviewer: Caller
) -> None:
    ws = await subscribed(served, reviewer, op_id="dash")
    stays = await subscribed(served, reviewer)
    await ws.send(json.dumps({"id": "dash", "type": "complete"}))
    assert await in_step(ws) == []
    first = await a_rejection(company, reviewer)
    deliver(served, first)
    assert await changes(stays, 1) == [request_id(first)]
    assert await in_step(ws) == []  # stopped: nothing for it
    await ws.send(json.dumps({"id": "dash", "type": "subscribe", "payload": {"query": WATCH}}))
    assert await in_step(ws) == []
    second = await a_rejection(company, reviewer)
    deliver(served, second)
    assert await changes(ws, 1) == [request_id(second)]
    assert await changes(stays, 1) == [request_id(second)]
    assert len(served.fanout.groups) == 1
    for socket_ in (ws, stays):
        await socket_.close()
    await wait_until(lambda: not served.fanout.groups, what="the group to end with its members")


async def test_a_customer_never_gets_what_another_visibility_sees(
    served: Served,
    company: Company,
    other_company: Company,
    reviewer: Caller,
    customer: Caller,
    other_customer: Caller,
) -> None:
    dashboard = await subscribed(served, reviewer)
    mine = await subscribed(served, customer)
    theirs = await subscribed(served, other_customer)
    visibilities = {key[-1] for key in served.fanout.groups}
    assert visibilities == {
        reviewer.principal.visibility,
        customer.principal.visibility,
        other_customer.principal.visibility,
    }
    of_mine = await a_rejection(company, reviewer)
    deliver(served, of_mine)
    assert await changes(dashboard, 1) == [request_id(of_mine)]
    assert await changes(mine, 1) == [request_id(of_mine)]
    of_theirs = await a_rejection(other_company, reviewer)
    deliver(served, of_theirs)
    assert await changes(dashboard, 1) == [request_id(of_theirs)]
    assert await changes(theirs, 1) == [request_id(of_theirs)]
    # Behind what each was sent: the other company's change reached neither customer.
    assert await in_step(mine) == []
    assert await in_step(theirs) == []
    for ws in (dashboard, mine, theirs):
        await ws.close()


async def test_a_socket_that_does_not_keep_up_is_told_to_refetch_the_others_get_everything(
    served: Served, company: Company, reviewer: Caller
) -> None:
    served.fanout.max_buffered_bytes = 0  # lagging once the kernel takes no more of its frames
    lagging_before = metrics.subscribers_lagging_total
    keeping_up = await subscribed(served, reviewer)
    # Its receive buffer small before it connects: the window it offers follows it.
    stalled_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stalled_socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled_socket.connect(("127.0.0.1", served.port))
    stalled = await subscribed(served, reviewer, op_id="slow", sock=stalled_socket)
    [group] = served.fanout.groups.values()
    # A client on a slow link: the server's kernel buffer for it small too.
    [slow] = [member for member in group.members if member.operation_id == "slow"]
    assert isinstance(slow.sink, LightWSProtocol)
    server_side = slow.sink.transport.get_extra_info("socket")
    server_side.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    event = await a_rejection(company, reviewer)
    sent = 0
    while len(group.members) == 2:  # the stalled client reads nothing: its buffers fill
        assert sent < 5000, "never told"
        deliver(served, dataclasses.replace(event))
        sent += 1
        assert await changes(keeping_up, 1) == [request_id(event)]
    received = 0
    while (message := await receive(stalled))["type"] == "next":
        if "errors" in message["payload"]:
            break
        received += 1
    assert message["payload"]["data"] is None
    [error] = message["payload"]["errors"]
    assert error["extensions"] == {"code": "SUBSCRIPTION_LAGGING"}
    assert await receive(stalled) == {"id": "slow", "type": "complete"}
    assert 0 < received < sent  # what it was written before, then told: nothing skipped silently
    assert metrics.subscribers_lagging_total == lagging_before + 1  # on /metrics
    deliver(served, dataclasses.replace(event))
    assert await changes(keeping_up, 1) == [request_id(event)]
    assert await silent(stalled, 0.2)
    await keeping_up.close()
    await stalled.close()


async def test_a_revoked_socket_gets_nothing_more_from_its_group(
    served: Served, company: Company, reviewer: Caller
) -> None:
    another = await make_caller(Role.REVIEWER, name="Otra Revisora")
    staying = await subscribed(served, reviewer)
    revoked = await subscribed(served, another)
    [group] = served.fanout.groups.values()
    await revoke_tokens(another.user.email, now=datetime.now(UTC))
    assert await served.app.state.live_sessions.recheck() == 1  # as its periodic check does
    event = await a_rejection(company, reviewer)
    deliver(served, event)
    assert await changes(staying, 1) == [request_id(event)]
    assert len(group.members) == 1
    # Closed with 4403, and nothing of the change before the close.
    assert [message["type"] for message in await until_closed(revoked)] in ([], ["complete"])
    assert revoked.close_code == 4403
    await staying.close()
