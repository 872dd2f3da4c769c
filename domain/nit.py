"""The NIT (Colombia's tax id) and its check digit ("dígito de verificación").

A company is identified by its NIT, and a typo in it would put the certificate in the wrong
name. DIAN's modulo-11 check digit catches almost every typo, so the service only accepts a
NIT written with its check digit and verifies it, instead of computing the digit for the user
(which would turn a mistyped NIT into a "valid" one).
"""

import re
from dataclasses import dataclass

from domain.enums import ErrorCode
from domain.errors import DomainError

WEIGHTS: tuple[int, ...] = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
"""DIAN's weights, applied from the rightmost digit of the base."""

MIN_BASE_DIGITS = 5
"""Natural persons use their cédula as NIT, and old cédulas can be short."""

MAX_BASE_DIGITS = len(WEIGHTS)

_FIELD = "nit"
_EXAMPLE = "900123456-8"
_DIGITS = re.compile(r"[0-9]+")
# Digits, optionally grouped by thousands with dots ("900.123.456"), a dash, one digit.
_BASE = r"[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+"
_NIT = re.compile(rf"(?P<base>{_BASE})\s*-\s*(?P<check>[0-9])")
_BASE_ONLY = re.compile(_BASE)


def check_digit(base: str) -> int:
    """DIAN's modulo-11 check digit of a NIT base (1 to 15 digits, nothing else)."""
    if not (1 <= len(base) <= MAX_BASE_DIGITS and _DIGITS.fullmatch(base)):
        raise ValueError(f"la base del NIT debe tener de 1 a {MAX_BASE_DIGITS} dígitos: {base!r}")
    total = sum(int(digit) * weight for digit, weight in zip(reversed(base), WEIGHTS, strict=False))
    remainder = total % 11
    return remainder if remainder in (0, 1) else 11 - remainder


@dataclass(frozen=True)
class Nit:
    """A NIT whose check digit has been verified."""

    base: str
    check_digit: int

    def __post_init__(self) -> None:
        expected = check_digit(self.base)
        if self.check_digit != expected:
            raise ValueError(
                f"el dígito de verificación de {self.base} es {expected}, no {self.check_digit}"
            )

    @property
    def formatted(self) -> str:
        """The NIT as written on the RUT, without dots: 900123456-8."""
        return f"{self.base}-{self.check_digit}"

    def __str__(self) -> str:
        return self.formatted


def _invalid(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, _FIELD)


def parse_nit(text: str) -> Nit:
    """Read a NIT typed by a person: "900123456-8", "900.123.456-8" or " 900123456 - 8 "."""
    cleaned = text.strip()
    if not cleaned:
        raise _invalid(
            f"Escribe el NIT con su dígito de verificación, por ejemplo {_EXAMPLE}.",
        )
    match = _NIT.fullmatch(cleaned)
    if match is None:
        without_dash = cleaned.rstrip("- ").strip()
        if _BASE_ONLY.fullmatch(without_dash):
            raise _invalid(
                "Falta el dígito de verificación del NIT. Escríbelo después de un guion, "
                f"por ejemplo {_EXAMPLE}.",
            )
        raise _invalid(
            "El NIT solo puede tener números (con o sin puntos), un guion y el dígito de "
            f"verificación, por ejemplo {_EXAMPLE}.",
        )
    base = match.group("base").replace(".", "")
    if not MIN_BASE_DIGITS <= len(base) <= MAX_BASE_DIGITS:
        raise _invalid(
            f"El NIT debe tener entre {MIN_BASE_DIGITS} y {MAX_BASE_DIGITS} dígitos antes del "
            "dígito de verificación.",
        )
    given = int(match.group("check"))
    if given != check_digit(base):
        raise _invalid(
            f"El dígito de verificación {given} no corresponde al NIT {base}. "
            "Revisa el número y el dígito de verificación en el RUT.",
        )
    return Nit(base=base, check_digit=given)
