"""Live updates from a client's side: sockets speaking the two protocols against real servers,
and the changes that make events, through the `certs` CLI and the API."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from domain.calendar import local_date
from domain.nit import check_digit
from tests.support.flows import reject, submit
from tests.support.graphql import GraphQLClient
from tests.support.server import RunningServer, certs_json

TRANSPORT_WS = Subprotocol("graphql-transport-ws")
LEGACY_WS = Subprotocol("graphql-ws")

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


async def silent(ws: ClientConnection, within: float) -> bool:
    """True when nothing but keep-alive traffic arrives for `within` seconds."""
    try:
        message = await receive(ws, within)
    except TimeoutError:
        return True
    raise AssertionError(f"expected nothing, got {message}")


@asynccontextmanager
async def socket(
    server: RunningServer,
    token: str,
    protocol: Subprotocol = TRANSPORT_WS,
    request_id: str | None = None,
) -> AsyncIterator[ClientConnection]:
    """An authenticated socket, `connection_ack` received; `request_id` is sent in the handshake
    (`X-Request-ID`), and the server's log lines of the socket's operations carry it."""
    headers = {"X-Request-ID": request_id} if request_id else None
    async with connect(
        server.ws_url, subprotocols=[protocol], additional_headers=headers, open_timeout=10
    ) as ws:
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


async def settle(*sockets: ClientConnection) -> None:
    """Every subscription sent on these sockets has been handled: `in_step` on each, with nothing
    (no event, no refusal) arriving before the answer."""
    for ws in sockets:
        assert await in_step(ws) == []


def new_company_customer(
    env: dict[str, str], base: str, run: Callable[..., dict[str, Any]] = certs_json
) -> str:
    """A company (its contact `contacto@<base>.example.co`), one of its users and a token, through
    the `certs` CLI (by default the program; `tests.support.cli.run_certs_json` runs it in this
    process); returns the token."""
    nit = f"{base}-{check_digit(base)}"
    run(
        env,
        *("company", "create", "--nit", nit, "--name", "Otra Empresa S.A.S."),
        *("--person-type", "LEGAL_ENTITY", "--contact-name", "Pedro Ruiz"),
        *("--contact-email", f"contacto@{base}.example.co"),
    )
    email = f"usuario@{base}.example.co"
    run(
        env,
        *("user", "create", "--email", email, "--name", "Paula Ruiz"),
        *("--role", "CUSTOMER", "--company", nit),
    )
    return str(run(env, "token", "issue", "--email", email)["token"])


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


async def close_code(ws: ClientConnection, within: float) -> int:
    """The code the server closes the socket with, within `within` seconds; any message that
    arrives first (other than keep-alive traffic) fails the test."""
    try:
        message = await receive(ws, within)
    except ConnectionClosed as closed:
        if closed.rcvd is None:
            raise AssertionError("closed without a close frame") from closed
        return closed.rcvd.code
    raise AssertionError(f"expected the socket to close, got {message}")


async def submitted_and_announced(
    servers: Sequence[RunningServer], customer: str, reviewer: str
) -> str:
    """A request submitted on the first server, returned once every server has announced it to
    a reviewer's socket: a subscription opened afterwards no longer receives that submission
    (each process delivers what its feed reads after a subscription starts)."""
    async with AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(socket(s, reviewer)) for s in servers]
        for ws in sockets:
            await watch(ws, "announced")
        await settle(*sockets)
        request_id = await submitted_request(servers[0], customer)
        for ws in sockets:
            message = await receive(ws)
            assert message["type"] == "next", message
            change = message["payload"]["data"]["certificateRequestStatusChanged"]
            assert change["request"]["id"] == request_id
    return request_id
