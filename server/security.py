"""HTTP hardening around the app: security headers, a streaming cap on request bodies, and a
limit on failed authentication attempts per client address."""

import contextlib
import json
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.enums import ErrorCode

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
#: API answers (JSON, files) may load nothing.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
#: The GraphiQL page: its scripts and styles (inline, and from unpkg.com with integrity hashes),
#: requests to this origin only, never framed.
GRAPHIQL_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://unpkg.com; "
    "style-src 'self' 'unsafe-inline' https://unpkg.com; font-src 'self' data: https://unpkg.com; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Security headers on every HTTP answer, whoever wrote it (the app, a 413, a 500).

    Answers to requests carrying credentials are never stored by a cache (`no-store`): they hold
    what one caller may see.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool = True) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"
        authenticated = any(name == b"authorization" for name, _ in scope.get("headers", []))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                html = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("content-security-policy", GRAPHIQL_CSP if html else API_CSP)
                if authenticated:
                    headers["cache-control"] = "no-store"
                if secure and self.hsts:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def json_error_body(message: str, code: str) -> bytes:
    """A GraphQL-over-HTTP error body, for answers given before GraphQL runs."""
    return json.dumps(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, ensure_ascii=False
    ).encode()


def is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == b"multipart/form-data")
    return False


class BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuses a request body over its limit with 413, counting while it streams in.

    Multipart requests (uploads) may carry up to `max_bytes`; any other body (JSON) and a GET's
    query string up to `max_json_bytes`, so a stranger cannot make the server read, parse or
    cache a large text. A declared Content-Length over the limit is refused before reading
    anything; a chunked or lying body is cut off as soon as it passes the limit, so a 50 MB body
    is never buffered.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_json_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_bytes = max_bytes if max_json_bytes is None else max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes if is_multipart(scope) else self.max_json_bytes
        if len(scope.get("query_string", b"")) > self.max_json_bytes:
            await self._refuse(send, self.max_json_bytes)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._refuse(send, limit)
                return
        received = 0
        started = too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to a body it could not read is replaced by ours
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counting_receive, tracking_send)
        if too_large and not started:
            await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json_error_body(
            f"La solicitud supera el tamaño máximo permitido ({limit} bytes).",
            ErrorCode.REQUEST_TOO_LARGE,
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class FailedAuthLimiter:
    """At most `max_failures` failed authentications per client address in `window` seconds.

    In memory, per process: enough to make guessing tokens slow. Tokens are 256-bit random, so
    this is about noise and cost, not about the odds of a guess.
    """

    def __init__(
        self,
        *,
        max_failures: int = 20,
        window: float = 60.0,
        max_addresses: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.max_addresses = max_addresses
        self.monotonic = monotonic
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures.get(address)
        if failures is None:
            return deque()
        horizon = self.monotonic() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def blocked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.max_failures

    def record_failure(self, address: str) -> None:
        failures = self._recent(address)
        failures.append(self.monotonic())
        self._failures[address] = failures
        self._failures.move_to_end(address)
        while len(self._failures) > self.max_addresses:
            self._failures.popitem(last=False)
