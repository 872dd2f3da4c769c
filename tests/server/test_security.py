"""HTTP hardening pieces on their own: headers, the streaming body cap, the failed-auth limiter."""

from collections.abc import MutableMapping
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.security import BodySizeLimitMiddleware, FailedAuthLimiter, SecurityHeadersMiddleware

MB = 1024 * 1024


async def echo_size(request: Request) -> Response:
    body = await request.body()
    return JSONResponse({"size": len(body)})


def small_app() -> Starlette:
    return Starlette(routes=[Route("/", echo_size, methods=["POST", "GET"])])


async def test_every_response_carries_the_security_headers() -> None:
    app = SecurityHeadersMiddleware(small_app())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://testserver"
    ) as client:
        response = await client.get("/")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_a_declared_oversized_body_is_refused_before_it_is_read() -> None:
    app = BodySizeLimitMiddleware(small_app(), max_bytes=5 * MB)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        small = await client.post("/", content=b"x" * 1000)
        large = await client.post("/", content=b"x" * (6 * MB))
    assert small.json() == {"size": 1000}
    assert large.status_code == 413


async def test_a_streamed_50_mb_body_is_cut_off_not_buffered() -> None:
    """No Content-Length: the body arrives in 1 MB chunks; reading stops just past the limit."""
    app = BodySizeLimitMiddleware(small_app(), max_bytes=5 * MB)
    chunks_read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"x" * MB, "more_body": chunks_read < 50}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [(b"transfer-encoding", b"chunked")],
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
        "http_version": "1.1",
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 413
    assert chunks_read == 6


def test_failed_authentications_are_limited_per_address_and_forgotten_after_the_window() -> None:
    now = [1000.0]
    limiter = FailedAuthLimiter(max_failures=3, window=60, monotonic=lambda: now[0])
    for _ in range(3):
        assert not limiter.blocked("10.0.0.1")
        limiter.record_failure("10.0.0.1")
    assert limiter.blocked("10.0.0.1")
    assert not limiter.blocked("10.0.0.2")
    now[0] += 61
    assert not limiter.blocked("10.0.0.1")


def test_the_limiter_forgets_the_oldest_addresses_beyond_its_capacity() -> None:
    limiter = FailedAuthLimiter(max_failures=1, window=60, max_addresses=2)
    for address in ("a", "b", "c"):
        limiter.record_failure(address)
    assert not limiter.blocked("a")
    assert limiter.blocked("b")
    assert limiter.blocked("c")
