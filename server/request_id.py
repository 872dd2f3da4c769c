"""A request id per HTTP request and WebSocket connection: from the client's `X-Request-ID`,
else the trace id of its W3C `traceparent`, else generated. It is returned in `X-Request-ID`,
put on every log line of the request and in the masked errors the client sees, so that a support
ticket quoting it finds the server's side.
"""

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.request_scope import current_request_id

HEADER = "X-Request-ID"
#: What a client's id may look like: printable, no spaces, short (it goes into logs as is).
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")

__all__ = ["HEADER", "RequestIdMiddleware", "current_request_id", "request_id_from"]


def request_id_from(headers: dict[bytes, bytes]) -> str:
    """The client's id when it is acceptable, else the trace id of a valid traceparent, else new."""
    given = headers.get(b"x-request-id", b"").decode("latin-1").strip()
    if _ACCEPTABLE.fullmatch(given):
        return given
    traceparent = headers.get(b"traceparent", b"").decode("latin-1").strip().lower()
    match = _TRACEPARENT.fullmatch(traceparent)
    if match and match.group(1) != "0" * 32:
        return match.group(1)
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for everything below it and returns it on HTTP answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(dict(scope.get("headers", ())))
        token = current_request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            elif message["type"] == "websocket.accept":
                headers = list(message.get("headers", ()))
                headers.append((HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)
