"""Authentication: `Authorization: Bearer <token>` on HTTP, the same in `connection_init` on WebSockets."""

from collections.abc import Mapping
from typing import Any

from domain.clock import Clock
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
