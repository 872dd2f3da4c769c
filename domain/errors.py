"""The one exception the rules raise: a refusal that the API returns as data."""

from dataclasses import dataclass

from domain.enums import ErrorCode


@dataclass(frozen=True)
class UserErrorInfo:
    """One problem with the input or the state: a stable code, a Spanish message, the field."""

    code: ErrorCode
    message: str
    field: str | None = None


class DomainError(Exception):
    """A refusal by the rules. Carries one or more problems; the first is the headline."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.errors: list[UserErrorInfo] = [UserErrorInfo(code, message, field)]

    @classmethod
    def many(cls, errors: list[UserErrorInfo]) -> "DomainError":
        """Several problems found at once, so a form can show them all in one round trip."""
        if not errors:
            raise ValueError("DomainError.many needs at least one error")
        first = errors[0]
        error = cls(first.code, first.message, first.field)
        error.errors = list(errors)
        return error

    @property
    def code(self) -> ErrorCode:
        return self.errors[0].code

    @property
    def message(self) -> str:
        return self.errors[0].message

    @property
    def field(self) -> str | None:
        return self.errors[0].field
