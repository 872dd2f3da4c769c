"""WebSocket connections handed straight to their endpoint, past the HTTP middleware and router.

**Measured alone** (`python -m bench.tuning --variants all,-direct_socket`, 1,000 reviewers'
dashboards on one SQLite worker, each variant a real `certs serve`, the other one routing
sockets through the middleware and a `WebSocketRoute`, taking turns for 3 rounds, medians;
2026-12-01 10:25 UTC, load average 5-7): memory per idle subscriber 31.5 KiB with it, 35.5 KiB
without: **4.0 KiB (12.8 %) less**. CPU per event unchanged (90 ms both).

**Upstream.** No issue exists; the text to file (as a discussion) is
docs/performance/upstream/starlette-websocket-middleware-frames.md.

**Version guard.** `CHECKED_AGAINST` below (tuning/versions.py refuses any other version).
"""

from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

#: What this module relies on: how Starlette's router matches a route's path below its mount
#: point (`root_path`), which `_route_path` repeats.
CHECKED_AGAINST: Mapping[str, str] = {"starlette": "1.10.0"}


class DirectWebSocketRoute:
    """Serves WebSocket connections to `path` with `endpoint`; everything else goes on to `app`.

    Placed outermost among the app's middleware. The HTTP middleware lets sockets through
    untouched, yet every layer a connection passes (middleware, exception handlers, router,
    route) keeps a suspended frame for as long as the socket stays open: about 3.5 KiB per idle
    subscriber, for nothing (docs/performance.md: memory per idle subscriber).
    """

    def __init__(self, app: ASGIApp, *, path: str, endpoint: ASGIApp) -> None:
        self.app = app
        self.path = path
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self._route_path(scope) == self.path:
            await self.endpoint(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    @staticmethod
    def _route_path(scope: Scope) -> str:
        """The path below the app's mount point, as Starlette's router matches it."""
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        return path.removeprefix(root_path) if root_path else path
