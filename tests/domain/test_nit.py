"""NIT check digits (DIAN's modulo 11) and reading a NIT typed by a person."""

import pytest

from domain.enums import ErrorCode
from domain.nit import Nit, check_digit, parse_nit
from tests.support.refusals import assert_refusal, refusal

ENTER_IT = "Escribe el NIT con su dígito de verificación, por ejemplo 900123456-8."
NO_CHECK_DIGIT = (
    "Falta el dígito de verificación del NIT. Escríbelo después de un guion, "
    "por ejemplo 900123456-8."
)
ONLY_DIGITS = (
    "El NIT solo puede tener números (con o sin puntos), un guion y el dígito de verificación, "
    "por ejemplo 900123456-8."
)
LENGTH = "El NIT debe tener entre 5 y 15 dígitos antes del dígito de verificación."
WRONG_DIGIT = (
    "El dígito de verificación {given} no corresponde al NIT {base}. "
    "Revisa el número y el dígito de verificación en el RUT."
)


@pytest.mark.parametrize(
    ("base", "digit"),
    [
        ("900123456", 8),
        ("800197268", 4),  # DIAN
        ("860034313", 7),  # Davivienda
        ("899999068", 1),  # Ecopetrol; remainder 1 → 1
        ("890903938", 8),  # Bancolombia
        ("860002964", 4),  # Banco de Bogotá
        ("830054539", 0),  # remainder 0 → 0
        ("1234", 1),  # remainder 10 → 11 − 10 = 1
        ("12345", 8),
        ("52123456", 2),  # a cédula used as NIT
    ],
)
def test_check_digit(base: str, digit: int) -> None:
    assert check_digit(base) == digit


def test_check_digit_weights_start_at_the_rightmost_digit() -> None:
    assert check_digit("1") == 11 - 3  # 1·3 = 3 → 11 − 3
    assert check_digit("10") == 11 - 7  # 1·7 = 7 → 11 − 7
    assert check_digit("100000000000000") == 11 - (71 % 11)  # 15th weight is 71


@pytest.mark.parametrize("base", ["", "12a4", "-123", "1" * 16, "１２３", "123 456", "1.234"])
def test_check_digit_needs_1_to_15_ascii_digits(base: str) -> None:
    with pytest.raises(ValueError, match="dígitos"):
        check_digit(base)


class TestNit:
    def test_formatted_and_str(self) -> None:
        nit = Nit(base="900123456", check_digit=8)
        assert nit.formatted == "900123456-8"
        assert str(nit) == "900123456-8"

    def test_a_wrong_check_digit_cannot_be_built(self) -> None:
        with pytest.raises(ValueError, match="dígito de verificación"):
            Nit(base="900123456", check_digit=7)


class TestParseNit:
    @pytest.mark.parametrize(
        "text",
        ["900123456-8", "900.123.456-8", " 900123456 - 8 ", "900123456 -8", "\t900.123.456- 8\n"],
    )
    def test_accepted_spellings(self, text: str) -> None:
        assert parse_nit(text) == Nit(base="900123456", check_digit=8)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("800.197.268-4", "800197268-4"),
            ("899999068-1", "899999068-1"),
            ("860034313-7", "860034313-7"),
            ("52.123.456-2", "52123456-2"),  # natural person: cédula as NIT
            ("12345-8", "12345-8"),  # shortest accepted base
        ],
    )
    def test_returns_the_nit_without_dots(self, text: str, expected: str) -> None:
        assert parse_nit(text).formatted == expected

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", ENTER_IT),
            ("   ", ENTER_IT),
            ("900123456", NO_CHECK_DIGIT),
            ("900.123.456", NO_CHECK_DIGIT),
            ("900123456-", NO_CHECK_DIGIT),
            ("900123456-7", WRONG_DIGIT.format(given=7, base="900123456")),
            ("800197268-5", WRONG_DIGIT.format(given=5, base="800197268")),
            ("9001A3456-8", ONLY_DIGITS),
            ("900123456-88", ONLY_DIGITS),
            ("900123456-X", ONLY_DIGITS),
            ("900.12.3456-8", ONLY_DIGITS),
            ("900.12.456-8", ONLY_DIGITS),  # dots group thousands: three digits each
            ("900.12.456", ONLY_DIGITS),
            ("900123456/8", ONLY_DIGITS),
            ("NIT 900123456-8", ONLY_DIGITS),
            ("1234-1", LENGTH),
            ("1234567890123456-1", LENGTH),
        ],
    )
    def test_refused_with_a_spanish_message_on_the_nit_field(self, text: str, message: str) -> None:
        assert_refusal(
            refusal(parse_nit, text), code=ErrorCode.INVALID_INPUT, field="nit", message=message
        )

    @pytest.mark.parametrize("digits", [5, 15])
    def test_the_length_bounds_are_inclusive(self, digits: int) -> None:
        base = "9" * digits
        nit = parse_nit(f"{base}-{check_digit(base)}")
        assert nit.base == base

    def test_the_check_digit_is_verified_on_a_15_digit_base_too(self) -> None:
        base = "123456789012345"
        wrong = (check_digit(base) + 1) % 10
        assert_refusal(
            refusal(parse_nit, f"{base}-{wrong}"),
            code=ErrorCode.INVALID_INPUT,
            field="nit",
            message=WRONG_DIGIT.format(given=wrong, base=base),
        )

    def test_every_wrong_digit_is_refused(self) -> None:
        for digit in range(10):
            text = f"900123456-{digit}"
            if digit == 8:
                assert parse_nit(text).check_digit == 8
            else:
                assert_refusal(
                    refusal(parse_nit, text),
                    code=ErrorCode.INVALID_INPUT,
                    field="nit",
                    message=f"El dígito de verificación {digit} no corresponde al NIT 900123456. "
                    "Revisa el número y el dígito de verificación en el RUT.",
                )
