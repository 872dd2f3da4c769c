"""Live updates against real `certs serve` processes, with real WebSocket clients.

Two processes sharing PostgreSQL and Redis: a subscriber on one hears a reviewer's mutation served
by the other, and only the company that owns the request hears it. One process (SQLite, no Redis
needed) for what a single socket must do: the legacy `graphql-ws` protocol, keep-alive, the cap
on subscriptions, the init timeout and the allowed origins."""

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

from devkit.database import MigratedSqlite, truncate_postgres
from tests.support.cli import run_certs_json, run_certs_json_aside
from tests.support.files import pdf
from tests.support.flows import reject, resubmit
from tests.support.graphql import GraphQLClient
from tests.support.live import (
    LEGACY_WS,
    TRANSPORT_WS,
    in_step,
    new_company_customer,
    receive,
    rejected_on,
    settle,
    socket,
    submitted_and_announced,
    submitted_request,
    watch,
)
from tests.support.operations import UPDATE_CONTACT
from tests.support.server import RunningServer, running_server, server_env

ALLOWED_ORIGIN = "https://app.example.co"
CAP = 3


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


async def test_a_change_on_one_process_reaches_the_companys_subscribers_on_the_other_only(
    two_servers: tuple[RunningServer, RunningServer],
) -> None:
    one, other = two_servers
    demo = await run_certs_json_aside(one.env, "demo")
    customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
    stranger = await asyncio.to_thread(new_company_customer, one.env, "800123456", run_certs_json)
    request_id = await submitted_and_announced([one, other], customer, reviewer)

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
    demo = await run_certs_json_aside(one.env, "demo")
    customer, reviewer = demo["tokens"]["customer"], demo["tokens"]["reviewer"]
    request_id = await submitted_and_announced([other, one], customer, reviewer)

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
    return run_certs_json(lone_server.env, "demo")


async def test_the_legacy_graphql_ws_protocol_end_to_end(
    lone_server: RunningServer, lone_demo: dict[str, Any]
) -> None:
    customer, reviewer = lone_demo["tokens"]["customer"], lone_demo["tokens"]["reviewer"]
    request_id = await submitted_and_announced([lone_server], customer, reviewer)
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
        assert [(e["extensions"], e["message"]) for e in errors] == [
            (
                {"code": "TOO_MANY_SUBSCRIPTIONS"},
                f"Demasiadas suscripciones abiertas en esta conexión (el máximo es {CAP}). "
                "Cierra alguna antes de abrir otra.",
            )
        ]

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


# Nothing cached outlives an operation or an event.

CONTACT_OF_REQUEST = """
query Contact($id: ID!) {
  node(id: $id) { ... on CertificateRequest { company { principalContact { email } } } }
}
"""

FRESH_WATCH = """
subscription {
  certificateRequestStatusChanged {
    toStatus
    request { status company { principalContact { email } } }
  }
}
"""


async def test_a_long_lived_socket_sees_each_row_as_it_is_now(
    lone_server: RunningServer, lone_demo: dict[str, Any]
) -> None:
    """Between two operations on one socket, and between two events of one subscription, the row
    changes: each answer has its new value (loaders per operation and per event)."""
    reviewer = lone_demo["tokens"]["reviewer"]
    customer = await asyncio.to_thread(
        new_company_customer, lone_server.env, "811222333", run_certs_json
    )
    request_id = await submitted_and_announced([lone_server], customer, reviewer)

    async def contact_now(ws: ClientConnection, op_id: str) -> str:
        """The request's company's contact email, read through the loaders of the operation."""
        payload = {"query": CONTACT_OF_REQUEST, "variables": {"id": request_id}}
        await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))
        answer = await receive(ws)
        assert answer["type"] == "next", answer
        assert await receive(ws) == {"id": op_id, "type": "complete"}
        email: str = answer["payload"]["data"]["node"]["company"]["principalContact"]["email"]
        return email

    async with (
        socket(lone_server, customer) as ws,
        httpx.AsyncClient(base_url=lone_server.base_url, timeout=20) as http,
    ):
        gql = GraphQLClient(http)

        async def next_event() -> dict[str, Any]:
            message = await receive(ws)
            assert (message["type"], message["id"]) == ("next", "w"), message
            change: dict[str, Any] = message["payload"]["data"]["certificateRequestStatusChanged"]
            return change

        async def new_contact(email: str) -> None:
            contact = {"name": "Nueva Persona", "email": email}
            changed = await gql.execute(UPDATE_CONTACT, {"input": contact}, token=customer)
            assert changed["data"]["updatePrincipalContact"]["errors"] == []

        # Two operations on the socket, the row changed in between.
        assert await contact_now(ws, "q1") == "contacto@811222333.example.co"
        await new_contact("antes@811222333.example.co")
        assert await contact_now(ws, "q2") == "antes@811222333.example.co"

        await ws.send(
            json.dumps({"id": "w", "type": "subscribe", "payload": {"query": FRESH_WATCH}})
        )
        await settle(ws)
        assert (await reject(gql, reviewer, request_id, "RUT ilegible.", {}))["errors"] == []
        assert (await next_event())["toStatus"] == "REJECTED"

        # Two events of the subscription, the row changed in between.
        await new_contact("primera@811222333.example.co")
        assert (await resubmit(gql, customer, request_id, {"RUT": pdf("RUT-2")}))["errors"] == []
        first = await next_event()
        assert first["request"]["company"]["principalContact"]["email"] == (
            "primera@811222333.example.co"
        )
        await new_contact("segunda@811222333.example.co")
        assert (await reject(gql, reviewer, request_id, "RUT vencido.", {}))["errors"] == []
        second = await next_event()
        assert (second["toStatus"], second["request"]["status"]) == ("REJECTED", "REJECTED")
        assert second["request"]["company"]["principalContact"]["email"] == (
            "segunda@811222333.example.co"
        )
