"""The app (or any ASGI callable) behind uvicorn's real sockets, served in this test's event loop
with the WebSocket protocol `certs serve` uses: for tests that need a real socket but read the
server's own state (its connections, its log records)."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.support.factories import Caller
from tests.support.live import receive
from tests.support.waiting import wait_until

#: How long the server may take to close its connections once asked to stop.
SHUTDOWN_SECONDS = 10


@dataclass
class InProcessServer:
    server: uvicorn.Server
    port: int

    def ws_url(self, path: str = "/graphql") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"


@asynccontextmanager
async def serve_in_process(app: ASGIApp) -> AsyncIterator[InProcessServer]:
    """`app` on a free loopback port, without lifespan (the caller sets up what it needs), on the
    LightWSProtocol without deflate; stopped, and awaited, on leaving."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        ws="tuning.light_ws_protocol:LightWSProtocol",
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        await wait_until(lambda: server.started, what="uvicorn to start")  # a flag, no event
        port: int = server.servers[0].sockets[0].getsockname()[1]
        yield InProcessServer(server, port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, SHUTDOWN_SECONDS)


async def opened(
    served: InProcessServer, caller: Caller, protocol: Subprotocol, request_id: str
) -> ClientConnection:
    """A socket to `served` in `protocol`, authenticated as `caller`, `connection_ack` received;
    `request_id` is sent in the handshake (`X-Request-ID`)."""
    ws = await connect(
        served.ws_url(),
        subprotocols=[protocol],
        additional_headers={"X-Request-ID": request_id},
        open_timeout=10,
    )
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {caller.token}"}}
    await ws.send(json.dumps(init))
    assert (await receive(ws, 5))["type"] == "connection_ack"
    return ws
