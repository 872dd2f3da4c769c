"""The refusal the rules raise: what `str()` says, and several problems reported at once."""

import pytest

from domain.enums import ErrorCode
from domain.errors import DomainError, UserErrorInfo


def test_a_refusal_reads_as_its_message() -> None:
    error = DomainError(ErrorCode.INVALID_INPUT, "El NIT es obligatorio.", "nit")
    assert str(error) == "El NIT es obligatorio."
    assert error.args == ("El NIT es obligatorio.",)
    assert error.errors == [UserErrorInfo(ErrorCode.INVALID_INPUT, "El NIT es obligatorio.", "nit")]
    assert (error.code, error.message, error.field) == (
        ErrorCode.INVALID_INPUT,
        "El NIT es obligatorio.",
        "nit",
    )


def test_several_problems_keep_their_order_and_the_first_is_the_headline() -> None:
    first = UserErrorInfo(ErrorCode.MISSING_DOCUMENT, "Falta el documento «RUT».", "documents")
    second = UserErrorInfo(ErrorCode.INVALID_INPUT, "Deja solo uno.", None)
    error = DomainError.many([first, second])
    assert error.errors == [first, second]
    assert (error.code, error.message, error.field) == (
        ErrorCode.MISSING_DOCUMENT,
        "Falta el documento «RUT».",
        "documents",
    )
    assert str(error) == "Falta el documento «RUT»."


def test_several_problems_means_at_least_one() -> None:
    with pytest.raises(ValueError, match=r"^DomainError\.many needs at least one error$"):
        DomainError.many([])
