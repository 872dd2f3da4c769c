"""The one place that turns a domain refusal into data (mutations) or a public error (queries)."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from domain.errors import DomainError
from resolvers.context import AppInfo, require_caller
from schema.core.errors import PublicError, user_errors

T = TypeVar("T")
P = TypeVar("P")


async def payload_or_errors(
    info: AppInfo, action: Callable[[], Awaitable[P]], on_error: Callable[..., P]
) -> P:
    """Run a mutation's work; a DomainError becomes `on_error(errors=[...])`.

    Every mutation needs a caller, and that is checked first: an anonymous call learns nothing
    from its input, not even whether an id is well formed.
    """
    try:
        require_caller(info)
        return await action()
    except DomainError as error:
        return on_error(errors=user_errors(error))


async def or_public_error(action: Awaitable[T]) -> T:
    """Run a query's work; a DomainError becomes a GraphQL error with its code, unmasked."""
    try:
        return await action
    except DomainError as error:
        raise PublicError(error) from error
