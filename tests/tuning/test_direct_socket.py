"""WebSocket connections to /graphql go straight to the GraphQL view; the rest is routed as usual."""

from typing import Any

from starlette.types import Receive, Scope, Send

from tuning.direct_socket import DirectWebSocketRoute


class Recorder:
    def __init__(self, name: str, calls: list[str]) -> None:
        self.name = name
        self.calls = calls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls.append(self.name)


async def _nothing() -> Any:
    return {}


async def _discard(message: Any) -> None:
    return None


async def route(scope: Scope) -> list[str]:
    calls: list[str] = []
    shortcut = DirectWebSocketRoute(
        Recorder("app", calls), path="/graphql", endpoint=Recorder("graphql", calls)
    )
    await shortcut(scope, _nothing, _discard)
    return calls


async def test_a_socket_to_the_path_goes_to_the_endpoint_only() -> None:
    assert await route({"type": "websocket", "path": "/graphql"}) == ["graphql"]


async def test_a_socket_below_a_root_path_is_matched_like_the_router_does() -> None:
    scope = {"type": "websocket", "path": "/api/graphql", "root_path": "/api"}
    assert await route(scope) == ["graphql"]


async def test_http_and_other_sockets_go_through_the_app() -> None:
    assert await route({"type": "http", "path": "/graphql"}) == ["app"]
    assert await route({"type": "websocket", "path": "/other"}) == ["app"]
    assert await route({"type": "lifespan"}) == ["app"]
