"""An ASGI app served by uvicorn in the test's own process, with the WebSocket protocol
`certs serve` gives it (`server.uvicorn_websocket.LightWSProtocol`) and no lifespan."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from tests.support.waiting import wait_until


@asynccontextmanager
async def served_by_uvicorn(app: Any) -> AsyncIterator[uvicorn.Server]:
    """The running server (its port: `port_of`); stopped on leaving."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        ws="server.uvicorn_websocket:LightWSProtocol",
        ws_per_message_deflate=False,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, what="uvicorn to start")  # a flag, no event
    try:
        yield server
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 10)


def port_of(server: uvicorn.Server) -> int:
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return port
