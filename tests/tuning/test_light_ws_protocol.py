"""The WebSocket protocol `certs serve` gives uvicorn (docs/performance.md: memory per idle
subscriber)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from wsproto.connection import Connection

from server import cli
from tests.support.in_process import InProcessServer, serve_in_process
from tests.support.layout import SHARED_KEYS_LIMIT
from tests.support.waiting import wait_until
from tuning.light_ws_protocol import LightWSProtocol, SocketMessages, WriteGate


async def _nothing(scope: Any, receive: Any, send: Any) -> None:
    return None


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    """Accepts `/echo` and sends back every text it receives; refuses any other path."""
    assert scope["type"] == "websocket"
    assert (await receive())["type"] == "websocket.connect"
    if scope["path"] != "/echo":
        await send({"type": "websocket.close"})
        return
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "text": message["text"]})


@pytest.fixture
async def echo_server() -> AsyncIterator[InProcessServer]:
    async with serve_in_process(_echo) as served:
        yield served


def test_certs_serve_runs_uvicorn_on_the_light_protocol_without_deflate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    assert cli.main(["serve", "--port", "8999"]) == 0
    (options,) = calls
    assert options["ws"] == "tuning.light_ws_protocol:LightWSProtocol"
    assert options["ws_per_message_deflate"] is False
    assert (options["loop"], options["http"]) == ("uvloop", "httptools")
    # Limits before work (issue 14): uvicorn closes a socket with 1009 past 64 KiB before
    # buffering the message, and X-Forwarded-For is left to the app's TRUSTED_PROXIES.
    assert options["ws_max_size"] == 64 * 1024
    assert options["proxy_headers"] is False


async def test_uvicorn_loads_it_and_its_messages_arrive_in_order() -> None:
    config = uvicorn.Config(_nothing, ws="tuning.light_ws_protocol:LightWSProtocol")
    config.load()
    assert config.ws_protocol_class is LightWSProtocol
    protocol = LightWSProtocol(config=config, server_state=ServerState(), app_state={})
    assert isinstance(protocol.queue, SocketMessages)
    assert protocol.queue.empty()
    protocol.queue.put_nowait({"type": "websocket.connect"})
    protocol.queue.put_nowait({"type": "websocket.receive", "text": "{}"})
    assert await protocol.receive() == {"type": "websocket.connect"}
    assert await protocol.receive() == {"type": "websocket.receive", "text": "{}"}
    assert protocol.queue.empty()


async def test_an_accepted_socket_keeps_the_connection_without_the_handshake(
    echo_server: InProcessServer,
) -> None:
    async with connect(echo_server.ws_url("/echo"), ping_interval=None) as client:
        await client.send("uno")
        assert await asyncio.wait_for(client.recv(), 5) == "uno"
        (protocol,) = echo_server.server.server_state.connections
        assert isinstance(protocol, LightWSProtocol)
        conn: object = protocol.conn  # uvicorn types it as the WSConnection it starts with
        assert type(conn) is Connection
        # Everything after the handshake goes through the bare connection: messages, pings, close.
        for text in ("dos", "tres", "ñandú " * 2000):
            await client.send(text)
            assert await asyncio.wait_for(client.recv(), 5) == text
        await asyncio.wait_for(await client.ping(b"hola"), 5)
        assert len(vars(protocol)) <= SHARED_KEYS_LIMIT
    assert client.close_code == 1000
    await wait_until(
        lambda: not echo_server.server.server_state.connections,
        what="the server to drop the connection",
    )


async def test_a_server_shutting_down_closes_its_open_sockets_with_1012(
    echo_server: InProcessServer,
) -> None:
    async with connect(echo_server.ws_url("/echo"), ping_interval=None) as client:
        await client.send("uno")
        assert await asyncio.wait_for(client.recv(), 5) == "uno"
        echo_server.server.should_exit = True
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(client.recv(), 10)
    assert client.close_code == 1012  # "service restart": the client may reconnect


async def test_a_refused_handshake_still_answers_403(echo_server: InProcessServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(echo_server.ws_url("/elsewhere"), ping_interval=None):
            pass
    assert refused.value.response.status_code == 403


async def test_the_write_gate_holds_writers_while_closed_and_releases_them_all() -> None:
    gate = WriteGate()
    assert gate.is_set()
    assert await asyncio.wait_for(gate.wait(), 1) is True
    gate.clear()
    writers = [asyncio.create_task(gate.wait()) for _ in range(3)]
    # The positive marker: all three are parked on the gate, none let through.
    await wait_until(lambda: len(gate._waiters or ()) == 3, what="three waiting writers")
    assert not any(writer.done() for writer in writers)
    gate.set()
    assert await asyncio.wait_for(asyncio.gather(*writers), 1) == [True, True, True]


async def test_a_cancelled_writer_leaves_nothing_behind() -> None:
    gate = WriteGate()
    gate.clear()
    writer = asyncio.create_task(gate.wait())
    await wait_until(lambda: gate._waiters, what="the writer to wait on the gate")
    writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writer
    assert not gate._waiters
    gate.set()
    assert await asyncio.wait_for(gate.wait(), 1) is True
