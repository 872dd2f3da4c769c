"""Checks on what people type into the request form, with messages that say what to fix.

Each check returns the value as it will be stored (stripped, normalized), so callers never
keep the raw text by mistake, and refuses with the GraphQL input field that holds the problem
so the front end can show the message beside it.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email

from domain.calendar import add_months, format_date_es, local_date
from domain.enums import ErrorCode, IdentityDocumentType, PersonType
from domain.errors import DomainError
from domain.policy import RequestRules

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


_ARTICLES = {"el": (False, False), "la": (True, False), "los": (False, True), "las": (True, True)}


@dataclass(frozen=True)
class FieldLabel:
    """A field's name as a sentence's subject, with the gender and number its words agree with:
    «La fecha de inicio es obligatoria», «Las observaciones son obligatorias»."""

    text: str
    feminine: bool = False
    plural: bool = False

    @classmethod
    def of(cls, text: str) -> "FieldLabel":
        """The label from its leading article (El, La, Los, Las), which carries both."""
        article = text.partition(" ")[0].lower()
        if article not in _ARTICLES:
            raise ValueError(f"a field label starts with its article: {text!r}")
        feminine, plural = _ARTICLES[article]
        return cls(text, feminine=feminine, plural=plural)

    def agree(self, adjective: str) -> str:
        """An adjective given in the masculine singular ("obligatorio"), agreeing with the field."""
        if not adjective.endswith("o"):
            return adjective + ("es" if self.plural else "")
        return adjective[:-1] + ("a" if self.feminine else "o") + ("s" if self.plural else "")

    @property
    def is_(self) -> str:
        return "son" if self.plural else "es"

    @property
    def can(self) -> str:
        return "pueden" if self.plural else "puede"

    def required(self) -> str:
        return f"{self.text} {self.is_} {self.agree('obligatorio')}."


REPRESENTATIVE_NOUNS = {
    PersonType.LEGAL_ENTITY: "representante legal",
    PersonType.NATURAL_PERSON: "titular",
}
"""Who signs for the company: a legal entity's legal representative, a natural person's holder."""

VALIDITY_START_LABEL = FieldLabel("La fecha de inicio de vigencia", feminine=True)


def representative_name_label(person_type: PersonType) -> FieldLabel:
    return FieldLabel(f"El nombre del {REPRESENTATIVE_NOUNS[person_type]}")


def require_text(
    value: str | None, *, field: str, label: str | FieldLabel, max_length: int = 200
) -> str:
    """The text stripped; refused when blank or longer than max_length.

    `label` names the value with its article, e.g. "El nombre del representante legal" or
    "Las observaciones"; the message agrees with its gender and number.
    """
    name = label if isinstance(label, FieldLabel) else FieldLabel.of(label)
    cleaned = (value or "").strip()
    if not cleaned:
        raise DomainError(ErrorCode.INVALID_INPUT, name.required(), field)
    if len(cleaned) > max_length:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"{name.text} no {name.can} tener más de {max_length} caracteres.",
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


def validity_start(requested: date | None, today: date, rules: RequestRules | None = None) -> date:
    """The date the certificate's validity starts: the one requested, or today; never in the
    past, and at most `rules.max_validity_start_days` ahead."""
    limits = rules or RequestRules()
    field = "validityStartsOn"
    if requested is None:
        return today
    if requested < today:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"{VALIDITY_START_LABEL.text} no puede ser anterior a hoy.",
            field,
        )
    latest = today + timedelta(days=limits.max_validity_start_days)
    if requested > latest:
        raise DomainError(
            ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            f"{VALIDITY_START_LABEL.text} puede ser como máximo "
            f"{limits.max_validity_start_days} días después de hoy, hasta el "
            f"{format_date_es(latest)}.",
            field,
        )
    return requested


def _months(count: int) -> str:
    return "1 mes" if count == 1 else f"{count} meses"


def ensure_validity_period(
    valid_from: datetime,
    valid_until: datetime,
    requested_start: date | None = None,
    rules: RequestRules | None = None,
    today: date | None = None,
) -> None:
    """The certificate Andes issues: it expires after it starts, lasts between the bounds the
    certification authority issues, and starts on the date the company asked for (never before
    `today`: a request that waited starts when it is approved), at most
    `rules.max_valid_from_lag_days` later."""
    limits = rules or RequestRules()
    if valid_until <= valid_from:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "La fecha de vencimiento debe ser posterior a la fecha de inicio de vigencia.",
            "validUntil",
        )
    shortest = add_months(valid_from, limits.min_validity_months)
    longest = add_months(valid_from, limits.max_validity_months)
    if not shortest <= valid_until <= longest:
        raise DomainError(
            ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            "La vigencia del certificado debe durar entre "
            f"{_months(limits.min_validity_months)} y {_months(limits.max_validity_months)}: "
            f"con ese inicio, la fecha de vencimiento debe estar entre el "
            f"{format_date_es(local_date(shortest))} y el {format_date_es(local_date(longest))}.",
            "validUntil",
        )
    if requested_start is None:
        return
    starts_on = local_date(valid_from)
    if starts_on < requested_start:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "La vigencia no puede empezar antes de la fecha pedida por la empresa "
            f"({format_date_es(requested_start)}).",
            "validFrom",
        )
    if today is not None and starts_on < today:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"La vigencia no puede empezar antes de hoy ({format_date_es(today)}).",
            "validFrom",
        )
    floor = max(requested_start, today) if today is not None else requested_start
    latest = floor + timedelta(days=limits.max_valid_from_lag_days)
    if starts_on > latest:
        raise DomainError(
            ErrorCode.VALIDITY_OUT_OF_BOUNDS,
            "La vigencia debe empezar a más tardar "
            f"{limits.max_valid_from_lag_days} días después de la fecha pedida por la empresa "
            f"o de hoy, si ya pasó ({format_date_es(floor)}), es decir, hasta el "
            f"{format_date_es(latest)}.",
            "validFrom",
        )
