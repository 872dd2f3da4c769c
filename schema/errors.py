"""Errors as data: what a mutation returns in `errors` instead of failing."""

import strawberry

from domain.errors import DomainError
from schema.enums import ErrorCode


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
