"""Errors as data: what a mutation returns in `errors` instead of failing, and the public error
of a query that cannot return its refusal as data."""

from typing import Any

import strawberry
from graphql.error import GraphQLError

from domain.errors import DomainError
from schema.core.enums import ErrorCode


@strawberry.type(
    description="A problem with the input or the state, returned as data. `code` is stable; "
    "`message` is for people, in Spanish."
)
class UserError:
    code: ErrorCode
    message: str
    field: str | None = None


def user_errors(error: DomainError) -> list[UserError]:
    return [UserError(code=e.code, message=e.message, field=e.field) for e in error.errors]


class PublicError(GraphQLError):
    """A refusal a query cannot return as data (its type is non-null): code and Spanish message."""

    def __init__(self, error: DomainError) -> None:
        extensions: dict[str, Any] = {"code": error.code.value}
        if error.field:
            extensions["field"] = error.field
        super().__init__(error.message, extensions=extensions)


def reworded(
    error: GraphQLError, message: str, extensions: dict[str, Any] | None = None
) -> GraphQLError:
    """`error` with another message and more extensions, where it stands in the document as it
    was (nodes, positions, path) and with its original error."""
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**(error.extensions or {}), **(extensions or {})},
    )
