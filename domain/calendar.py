"""Colombian calendar rules: local dates, business days and calendar months.

Instants are stored in UTC, but people live in Colombia's time: a request sent at 9 p.m. in
Bogotá was sent "today" for them even though it is already tomorrow in UTC. Review takes a
couple of Colombian business days (weekends and national holidays, including the holidays
that Ley Emiliani moves to Monday, do not count), and a certificate's renewal opens one
calendar month before it expires. These rules live here so that every layer counts the same
way. Nothing here reads the clock: callers pass the instant or the date they stand at.
"""

import calendar as _stdlib_calendar
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BOGOTA: ZoneInfo = ZoneInfo("America/Bogota")

DECISION_BUSINESS_DAYS = 2
"""Business days the partner takes to decide on a request, counted from the day it was sent."""

_SATURDAY = 5


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("se necesita un datetime con zona horaria (aware)")


def local_date(at: datetime) -> date:
    """The calendar date in Bogotá of an aware instant."""
    _require_aware(at)
    return at.astimezone(BOGOTA).date()


@lru_cache(maxsize=64)
def _holidays_in(year: int) -> frozenset[date]:
    """Colombia's national holidays of one year, on the day they are observed."""
    return frozenset(holidays.country_holidays("CO", years=year).keys())


def is_holiday(day: date) -> bool:
    """Whether the day is a Colombian national holiday (as observed, Ley Emiliani included)."""
    return day in _holidays_in(day.year)


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Colombian national holiday."""
    return day.weekday() < _SATURDAY and not is_holiday(day)


def add_business_days(start: date, count: int) -> date:
    """The count-th business day strictly after start (start itself when count is 0)."""
    if count < 0:
        raise ValueError("count no puede ser negativo")
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def expected_decision_by(submitted_at: datetime) -> date:
    """The date by which the partner should have decided on a request sent at submitted_at."""
    return add_business_days(local_date(submitted_at), DECISION_BUSINESS_DAYS)


def add_months(at: datetime, months: int) -> datetime:
    """The same Bogotá wall-clock time `months` calendar months later (or earlier), in UTC.

    The day is clamped to the end of the target month: 31 March minus one month is 28 (or 29)
    February.
    """
    _require_aware(at)
    local = at.astimezone(BOGOTA)
    month_index = local.year * 12 + (local.month - 1) + months
    year, month_zero_based = divmod(month_index, 12)
    month = month_zero_based + 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    moved = local.replace(year=year, month=month, day=min(local.day, last_day))
    return moved.astimezone(UTC)


def format_date_es(day: date) -> str:
    """A date as people in Colombia write it: dd/mm/yyyy."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
