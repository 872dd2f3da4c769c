"""The WebSocket protocol `certs serve` gives uvicorn (README, Performance: memory per subscriber)."""

from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from server import cli
from server.websocket_protocol import LightWSProtocol, SocketMessages


async def _app(scope: Any, receive: Any, send: Any) -> None:
    return None


def test_certs_serve_runs_uvicorn_on_the_light_protocol_without_deflate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    assert cli.main(["serve", "--port", "8999"]) == 0
    (options,) = calls
    assert options["ws"] == "server.websocket_protocol:LightWSProtocol"
    assert options["ws_per_message_deflate"] is False
    assert (options["loop"], options["http"]) == ("uvloop", "httptools")


async def test_uvicorn_loads_it_and_its_messages_arrive_in_order() -> None:
    config = uvicorn.Config(_app, ws="server.websocket_protocol:LightWSProtocol")
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
