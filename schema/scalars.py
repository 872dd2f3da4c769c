"""The Date and DateTime scalars: ISO 8601, read in Colombia's time when no offset is given.

A value without an offset is what a Colombian user means by a date and an hour, so it is read in
America/Bogota (UTC-5, no daylight saving) instead of being refused or, worse, compared with an
aware instant and failing. Values outside the years the service can work with (1900-2200) are
refused as invalid input, so no date arithmetic downstream can overflow. Every refusal is a
GraphQL validation error naming the value, never an unexpected server error.
"""

from datetime import UTC, date, datetime

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

from domain.calendar import BOGOTA

MIN_YEAR = 1900
MAX_YEAR = 2200


def _check_year(value: object, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise StrawberryInputCoercionError(
            f"La fecha «{value}» está fuera del rango admitido (años {MIN_YEAR} a {MAX_YEAR})."
        )


def parse_datetime(value: object) -> datetime:
    """An aware instant in UTC; a value without an offset is read in America/Bogota."""
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(
            f"«{value}» no es una fecha y hora: se espera un texto ISO 8601, por ejemplo "
            "2026-03-01T08:00:00-05:00."
        )
    try:
        parsed = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        raise StrawberryInputCoercionError(
            f"«{value}» no es una fecha y hora válida: usa ISO 8601, por ejemplo "
            "2026-03-01T08:00:00-05:00."
        ) from None
    _check_year(value, parsed.year)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BOGOTA)
    try:
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # pragma: no cover - the year bounds keep it in range
        raise StrawberryInputCoercionError(f"«{value}» no es una fecha y hora válida.") from None


def parse_date(value: object) -> date:
    """A calendar date, YYYY-MM-DD."""
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(
            f"«{value}» no es una fecha: se espera un texto AAAA-MM-DD, por ejemplo 2026-03-01."
        )
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise StrawberryInputCoercionError(
            f"«{value}» no es una fecha válida: usa AAAA-MM-DD, por ejemplo 2026-03-01."
        ) from None
    _check_year(value, parsed.year)
    return parsed


def _isoformat(value: date | datetime) -> str:
    return value.isoformat()


DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An instant, ISO 8601 (e.g. 2026-03-01T08:00:00-05:00). Returned in UTC. An input "
    "without an offset is read in Colombia's time (America/Bogota, UTC-5); years 1900 to 2200.",
    serialize=_isoformat,
    parse_value=parse_datetime,
)

DATE: ScalarDefinition = strawberry.scalar(
    name="Date",
    description="A calendar date, ISO 8601 (YYYY-MM-DD), as in Colombia (America/Bogota); years "
    "1900 to 2200.",
    serialize=_isoformat,
    parse_value=parse_date,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DATETIME, date: DATE}
"""For `StrawberryConfig(scalar_map=...)`."""
