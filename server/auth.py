"""Authentication: `Authorization: Bearer <token>` on HTTP, the same in `connection_init` on WebSockets."""

from collections.abc import Mapping
from typing import Any

from starlette.requests import HTTPConnection

from domain.clock import Clock
from server.security import FailedAuthLimiter
from services.auth import authenticate
from services.principal import Principal


def bearer_token(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def principal_from_header(value: str | None, clock: Clock) -> Principal | None:
    token = bearer_token(value)
    return await authenticate(token, now=clock.now()) if token else None


def header_from_params(params: Mapping[str, Any] | None) -> str | None:
    """The Authorization value of a `connection_init` payload, whatever the key's case."""
    if not params:
        return None
    for key, value in params.items():
        if key.lower() == "authorization" and isinstance(value, str):
            return value
    headers = params.get("headers")
    if isinstance(headers, Mapping):
        return header_from_params(headers)
    return None


def client_address(connection: HTTPConnection | None) -> str:
    """The peer's address; behind a proxy listed in TRUSTED_PROXIES, the client's (server.app)."""
    if connection is None or connection.client is None:
        return "unknown"
    return connection.client.host


class TooManyFailures(Exception):
    """This client address failed to authenticate too often; it must wait."""


class Authenticator:
    """Authenticates a request's Authorization value, counting failures per client address.

    A request without credentials is anonymous, not a failure; a wrong or expired token is. A
    valid token is always let through, however many bad ones its address sent: only failures are
    answered "too many" (429), so bad tokens from one office's NAT cannot lock out its users.
    """

    def __init__(self, clock: Clock, limiter: FailedAuthLimiter) -> None:
        self.clock = clock
        self.limiter = limiter

    async def principal(self, header: str | None, address: str) -> Principal | None:
        if not header:
            return None
        principal = await principal_from_header(header, self.clock)
        if principal is not None:
            return principal
        if self.limiter.blocked(address):
            raise TooManyFailures
        self.limiter.record_failure(address)
        return None
