"""Checks on what people type into the request form, with messages that say what to fix.

Each check returns the value as it will be stored (stripped, normalized), so callers never
keep the raw text by mistake, and refuses with the GraphQL input field that holds the problem
so the front end can show the message beside it.
"""

import re
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email

from domain.enums import ErrorCode, IdentityDocumentType
from domain.errors import DomainError

_SEPARATORS = re.compile(r"[.\s]")
_DIGITS = re.compile(r"[0-9]+")
_ALPHANUMERIC = re.compile(r"[A-Z0-9]+")

_ID_RULES: dict[IdentityDocumentType, tuple[re.Pattern[str], int, int, str]] = {
    IdentityDocumentType.CC: (
        _DIGITS,
        3,
        10,
        "El número de la cédula de ciudadanía debe tener solo números, entre 3 y 10 dígitos.",
    ),
    IdentityDocumentType.CE: (
        _DIGITS,
        3,
        10,
        "El número de la cédula de extranjería debe tener solo números, entre 3 y 10 dígitos.",
    ),
    IdentityDocumentType.PASSPORT: (
        _ALPHANUMERIC,
        5,
        20,
        "El número del pasaporte debe tener entre 5 y 20 letras o números, sin símbolos.",
    ),
}


def require_text(value: str | None, *, field: str, label: str, max_length: int = 200) -> str:
    """The text stripped; refused when blank or longer than max_length.

    `label` names the value with its article, e.g. "El nombre del representante legal".
    """
    cleaned = (value or "").strip()
    if not cleaned:
        raise DomainError(ErrorCode.INVALID_INPUT, f"{label} es obligatorio.", field)
    if len(cleaned) > max_length:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"{label} no puede tener más de {max_length} caracteres.",
            field,
        )
    return cleaned


def normalize_email(value: str, *, field: str = "email") -> str:
    """The address in its normalized form (domain lowercased); no DNS lookup is made."""
    cleaned = value.strip()
    if not cleaned:
        raise DomainError(ErrorCode.INVALID_INPUT, "El correo electrónico es obligatorio.", field)
    try:
        result = validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"El correo electrónico «{cleaned}» no es válido. Revisa que esté completo, "
            "por ejemplo nombre@empresa.com.co.",
            field,
        ) from error
    return result.normalized


def validate_identity_number(id_type: IdentityDocumentType, number: str, *, field: str) -> str:
    """The identity document number without dots or spaces (a passport's in capitals)."""
    compact = _SEPARATORS.sub("", number)
    if not compact:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "El número del documento de identidad es obligatorio.", field
        )
    pattern, min_length, max_length, message = _ID_RULES[id_type]
    if id_type == IdentityDocumentType.PASSPORT:
        compact = compact.upper()
    if not (min_length <= len(compact) <= max_length and pattern.fullmatch(compact)):
        raise DomainError(ErrorCode.INVALID_INPUT, message, field)
    return compact


def validity_start(requested: date | None, today: date) -> date:
    """The date the certificate's validity starts: the one requested, or today."""
    if requested is None:
        return today
    if requested < today:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "La fecha de inicio de vigencia no puede ser anterior a hoy.",
            "validityStartsOn",
        )
    return requested


def ensure_validity_period(valid_from: datetime, valid_until: datetime) -> None:
    """A certificate must expire after it starts."""
    if valid_until <= valid_from:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "La fecha de vencimiento debe ser posterior a la fecha de inicio de vigencia.",
            "validUntil",
        )
