"""Live updates against real `certs serve` processes, with real WebSocket clients.

Two processes sharing PostgreSQL and Redis: a subscriber on one hears a reviewer's mutation served
by the other, and only the company that owns the request hears it. One process (SQLite, no Redis
needed) for what a single socket must do: the legacy `graphql-ws` protocol, keep-alive, the cap
on subscriptions, the init timeout and the allowed origins."""

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

from devkit.database import MigratedSqlite, truncate_postgres
from domain.calendar import local_date
from domain.nit import check_digit
from tests.support.flows import reject, submit
from tests.support.graphql import GraphQLClient
from tests.support.server import RunningServer, certs_json, running_server, server_env

TRANSPORT_WS = Subprotocol("graphql-transport-ws")
LEGACY_WS = Subprotocol("graphql-ws")
ALLOWED_ORIGIN = "https://app.example.co"
CAP = 3

WATCH = """
subscription Watch($id: ID) {
  certificateRequestStatusChanged(requestId: $id) {
    fromStatus toStatus
    request { id status statusLabel observations company { nit } }
  }
}
"""


# Speaking the two protocols, as a front end's client library would.


async def receive(ws: ClientConnection, within: float = 10) -> dict[str, Any]:
    """The next message that is not keep-alive traffic (a server `ping` is answered with `pong`)."""
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
        elif message["type"] != "ka":
            return message


async def in_step(ws: ClientConnection, protocol: str = TRANSPORT_WS) -> list[dict[str, Any]]:
    """A round trip behind everything sent on the socket so far; the messages that came before it.

    The server reads a socket's messages in order and starts each subscription in a task of its
    own, so once it answered a later message (`ping` with `pong`; in the legacy protocol, which
    has no ping, a `start` of a broken document with its `error`) it has handled the earlier
    ones and their subscriptions have started: the positive marker to wait for, instead of a
    fixed delay. Whatever the server said before the answer (an event, a refusal) is returned.
    """
    if protocol == TRANSPORT_WS:
        await ws.send(json.dumps({"type": "ping"}))

        def is_answer(message: dict[str, Any]) -> bool:
            return bool(message["type"] == "pong")
    else:
        probe = f"probe-{uuid.uuid4().hex[:8]}"
        payload = {"query": "subscription { probe }"}
        await ws.send(json.dumps({"id": probe, "type": "start", "payload": payload}))

        def is_answer(message: dict[str, Any]) -> bool:
            return bool(message.get("id") == probe)

    before = []
    while not is_answer(message := await receive(ws)):
        before.append(message)
    return before


@asynccontextmanager
async def socket(
    server: RunningServer, token: str, protocol: Subprotocol = TRANSPORT_WS
) -> AsyncIterator[ClientConnection]:
    """An authenticated socket, `connection_ack` received."""
    async with connect(server.ws_url, subprotocols=[protocol], open_timeout=10) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert (await receive(ws, 5))["type"] == "connection_ack"
        yield ws


async def watch(
    ws: ClientConnection, op_id: str, request_id: str | None = None, protocol: str = TRANSPORT_WS
) -> None:
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    payload = {"query": WATCH, "variables": {"id": request_id} if request_id else {}}
    await ws.send(json.dumps({"id": op_id, "type": kind, "payload": payload}))


# Two processes sharing PostgreSQL and Redis.


@pytest.fixture
def shared_env(tmp_path: Path) -> dict[str, str]:
    """The environment of two servers on one PostgreSQL database and one Redis channel."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("two processes need a shared database: PostgreSQL (TEST_DATABASE_URL) is unset")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("events between processes travel through Redis: TEST_REDIS_URL is unset")
    return {"REDIS_URL": redis_url, "REDIS_CHANNEL_PREFIX": f"certs-e2e-{uuid.uuid4().hex[:12]}"}


@pytest.fixture
def two_servers(
    shared_env: dict[str, str], request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[RunningServer, RunningServer]]:
    database_url: str = request.getfixturevalue("postgres_url")
    asyncio.run(truncate_postgres(database_url))
    # One DATA_DIR for both, as hosts would share the documents' volume.
    env = server_env(tmp_path / "var", database_url, **shared_env)
    with ExitStack() as stack:
        first = stack.enter_context(running_server(env))
        second = stack.enter_context(running_server(env))
        yield first, second


def new_company_customer(env: dict[str, str], base: str) -> str:
    """A company, one of its users and a token, through the `certs` CLI; returns the token."""
    nit = f"{base}-{check_digit(base)}"
    certs_json(
        env,
        *("company", "create", "--nit", nit, "--name", "Otra Empresa S.A.S."),
        *("--person-type", "LEGAL_ENTITY", "--contact-name", "Pedro Ruiz"),
        *("--contact-email", f"contacto@{base}.example.co"),
    )
    email = f"usuario@{base}.example.co"
    certs_json(
        env,
        *("user", "create", "--email", email, "--name", "Paula Ruiz"),
        *("--role", "CUSTOMER", "--company", nit),
    )
    return str(certs_json(env, "token", "issue", "--email", email)["token"])


async def submitted_request(server: RunningServer, token: str) -> str:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
        today = local_date(datetime.now(UTC))
        submitted = await submit(GraphQLClient(http), token, issued_on=today - timedelta(days=5))
    assert submitted["errors"] == []
    request_id: str = submitted["request"]["id"]
    return request_id


async def rejected_on(server: RunningServer, reviewer: str, request_id: str) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=20) as http:
        rejected = await reject(
            GraphQLClient(http), reviewer, request_id, "RUT desactualizado.", {}
        )
    assert rejected["errors"] == []


async def test_a_change_on_one_process_reaches_the_companys_subscribers_on_the_other_only(
    two_servers: tuple[RunningServer, RunningServer],
) -> None:
    one, other = two_servers
    demo = certs_json(one.env, "demo")
    customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
    stranger = new_company_customer(one.env, "800123456")
    request_id = await submitted_request(one, customer)

    async with (
        socket(one, customer) as own,
        socket(one, stranger) as stranger_all,
        socket(one, stranger) as stranger_by_id,
        socket(other, reviewer) as reviewer_all,
    ):
        await watch(own, "1", request_id)
        await watch(stranger_all, "1")  # every change it may see: none of them is this one
        await watch(stranger_by_id, "1", request_id)  # a foreign id: nothing, not even an error
        await watch(stranger_by_id, "2")  # and every change it may see, for the marker below
        await watch(reviewer_all, "1")
        for ws in (own, stranger_all, stranger_by_id, reviewer_all):
            assert await in_step(ws) == []

        await rejected_on(other, reviewer, request_id)

        message = await receive(own)
        assert message["type"] == "next", message
        change = message["payload"]["data"]["certificateRequestStatusChanged"]
        assert (change["fromStatus"], change["toStatus"]) == ("IN_REVIEW", "REJECTED")
        assert change["request"]["status"] == "REJECTED"
        assert change["request"]["statusLabel"] == "Rechazado"
        assert change["request"]["observations"] == "RUT desactualizado."
        assert change["request"]["id"] == request_id

        seen_by_reviewer = await receive(reviewer_all)
        assert seen_by_reviewer["type"] == "next", seen_by_reviewer
        assert seen_by_reviewer["payload"]["data"] == message["payload"]["data"]

        # The positive marker for "the stranger saw nothing": a later change of its own company,
        # which it must see. Had the other company's change reached it, that would come first.
        own_request = await submitted_request(one, stranger)
        for ws, op_id in ((stranger_all, "1"), (stranger_by_id, "2")):
            first = await receive(ws)
            assert (first["type"], first["id"]) == ("next", op_id), first
            seen = first["payload"]["data"]["certificateRequestStatusChanged"]
            assert seen["request"]["id"] == own_request


async def test_the_legacy_protocol_hears_a_change_made_on_the_other_process(
    two_servers: tuple[RunningServer, RunningServer],
) -> None:
    one, other = two_servers
    demo = certs_json(one.env, "demo")
    customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
    request_id = await submitted_request(other, customer)

    async with socket(other, customer, LEGACY_WS) as ws:
        await watch(ws, "a", request_id, LEGACY_WS)
        assert await in_step(ws, LEGACY_WS) == []
        await rejected_on(one, reviewer, request_id)
        message = await receive(ws)
        assert (message["type"], message["id"]) == ("data", "a"), message
        change = message["payload"]["data"]["certificateRequestStatusChanged"]
        assert change["request"]["statusLabel"] == "Rechazado"


# One process, on SQLite: the socket's own rules.


@pytest.fixture(scope="module")
def lone_server(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: MigratedSqlite
) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("lone-server")
    env = server_env(
        folder / "var",
        sqlite_template.fresh_copy(folder),
        ALLOWED_ORIGINS=f"{ALLOWED_ORIGIN}, https://otra.example.co",
        MAX_SUBSCRIPTIONS_PER_CONNECTION=str(CAP),
        WS_KEEPALIVE_SECONDS="1",
        WS_CONNECTION_INIT_TIMEOUT_SECONDS="1",
    )
    with running_server(env) as server:
        yield server


@pytest.fixture(scope="module")
def lone_demo(lone_server: RunningServer) -> dict[str, Any]:
    return certs_json(lone_server.env, "demo")


async def test_the_legacy_graphql_ws_protocol_end_to_end(
    lone_server: RunningServer, lone_demo: dict[str, Any]
) -> None:
    customer, reviewer = lone_demo["tokens"]["customer"], lone_demo["tokens"]["reviewer"]
    request_id = await submitted_request(lone_server, customer)
    async with connect(lone_server.ws_url, subprotocols=[LEGACY_WS]) as ws:
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {customer}"}}
            )
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "connection_ack"}
        # Keep-alive: `ka` right after the ack, then every WS_KEEPALIVE_SECONDS.
        assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "ka"}
        await watch(ws, "7", request_id, LEGACY_WS)
        assert await in_step(ws, LEGACY_WS) == []
        await rejected_on(lone_server, reviewer, request_id)
        message = await receive(ws)
        assert (message["type"], message["id"]) == ("data", "7"), message
        change = message["payload"]["data"]["certificateRequestStatusChanged"]
        assert (change["toStatus"], change["request"]["statusLabel"]) == ("REJECTED", "Rechazado")

        await ws.send(json.dumps({"type": "stop", "id": "7"}))
        assert await receive(ws) == {"type": "complete", "id": "7"}


async def test_the_legacy_protocol_refuses_a_socket_without_a_valid_token(
    lone_server: RunningServer,
) -> None:
    async with connect(lone_server.ws_url, subprotocols=[LEGACY_WS]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        refusal = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert refusal["type"] == "connection_error"
        assert refusal["payload"] == {"message": "Token ausente o no válido."}
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)


async def test_an_idle_graphql_transport_ws_client_is_pinged(
    lone_server: RunningServer, lone_demo: dict[str, Any]
) -> None:
    async with socket(lone_server, lone_demo["tokens"]["customer"]) as ws:
        await watch(ws, "1")
        for _ in range(2):  # a ping after each idle second, the socket open all along
            assert json.loads(await asyncio.wait_for(ws.recv(), 3)) == {"type": "ping"}
            await ws.send(json.dumps({"type": "pong"}))
        await ws.send(json.dumps({"type": "ping"}))
        assert (await receive(ws, 3))["type"] == "pong"


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_subscription_past_the_cap_gets_an_error_and_the_socket_goes_on(
    lone_server: RunningServer, lone_demo: dict[str, Any], protocol: Subprotocol
) -> None:
    async with socket(lone_server, lone_demo["tokens"]["reviewer"], protocol) as ws:
        for n in range(CAP):
            await watch(ws, str(n), protocol=protocol)
        await watch(ws, "extra", protocol=protocol)
        refusal = await receive(ws, 5)
        assert (refusal["type"], refusal["id"]) == ("error", "extra"), refusal
        errors = refusal["payload"] if protocol == TRANSPORT_WS else [refusal["payload"]]
        assert errors[0]["extensions"] == {"code": "TOO_MANY_SUBSCRIPTIONS"}
        assert f"el máximo es {CAP}" in errors[0]["message"]

        # Ending one makes room again, on the same socket.
        stop = "complete" if protocol == TRANSPORT_WS else "stop"
        await ws.send(json.dumps({"type": stop, "id": "0"}))
        if protocol == LEGACY_WS:
            assert await receive(ws, 5) == {"type": "complete", "id": "0"}
        assert await in_step(ws, protocol) == []  # the server has ended "0"
        await watch(ws, "again", protocol=protocol)
        assert await in_step(ws, protocol) == []  # "again" accepted: no refusal came before


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_socket_that_never_authenticates_is_closed(
    lone_server: RunningServer, protocol: Subprotocol
) -> None:
    async with connect(lone_server.ws_url, subprotocols=[protocol]) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws, 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408


async def test_a_page_on_an_origin_not_allowed_is_refused_at_the_handshake(
    lone_server: RunningServer, lone_demo: dict[str, Any]
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            lone_server.ws_url, subprotocols=[TRANSPORT_WS], origin=Origin("https://evil.example")
        ):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("origin", [ALLOWED_ORIGIN, "https://otra.example.co", "same", None])
async def test_allowed_origins_the_servers_own_and_non_browser_clients_connect(
    lone_server: RunningServer, lone_demo: dict[str, Any], origin: str | None
) -> None:
    value = lone_server.base_url if origin == "same" else origin
    async with connect(
        lone_server.ws_url,
        subprotocols=[TRANSPORT_WS],
        origin=Origin(value) if value else None,
    ) as ws:
        token = lone_demo["tokens"]["customer"]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert (await receive(ws, 5))["type"] == "connection_ack"
