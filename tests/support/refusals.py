"""Asserting a refusal the way a user reads it: the code, the field AND the Spanish message.

A refusal test that checks only the code and the field passes when the message is empty, None or
wrong; these helpers make checking all three one line. The message is compared whole: a
fragment would let a garbled sentence through.
"""

from collections.abc import Callable, Mapping
from typing import Any, ParamSpec

import pytest

from domain.enums import ErrorCode
from domain.errors import DomainError

P = ParamSpec("P")


def refusal(call: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> DomainError:
    """The DomainError `call(*args, **kwargs)` raises; fails the test when it returns."""
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value


def assert_refusal(
    error: DomainError, *, code: ErrorCode, message: str, field: str | None = None
) -> None:
    """The headline problem is exactly (code, message, field); `str(error)` reads the message."""
    assert (error.code, error.field, error.message) == (code, field, message)
    assert str(error) == message


def assert_user_error(
    errors: list[Mapping[str, Any]], *, code: str, message: str, field: str | None = None
) -> None:
    """A GraphQL payload's `errors` list holds exactly this one problem (code, message, field)."""
    assert [(e["code"], e.get("field"), e["message"]) for e in errors] == [(code, field, message)]


def assert_refused(
    payload: Mapping[str, Any], code: str, field: str | None = None, *, message: str
) -> str:
    """A mutation's payload refused: exactly this one problem (code, field, the Spanish message
    whole) and no object beside it. Returns the message."""
    assert_user_error(payload["errors"], code=code, field=field, message=message)
    assert all(value is None for key, value in payload.items() if key != "errors"), payload
    return message
