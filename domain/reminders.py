"""Which email about its expiry a certificate is due, at the instant the job runs.

A certificate goes through a timeline of stages: its renewal window opens (one calendar month
before expiry, the same instant that lets the company submit a renewal), reminders fall a
configurable number of days before expiry (by default 30, 15, 7 and 1), and it expires. Days
are Colombian calendar days: the 7-day reminder of a certificate that expires on 26/11 is due
from 00:00 on 19/11 in Bogotá, whatever the weekday or holiday.

Each stage is emailed at most once per certificate (the service keeps a ledger of what was
sent). The job runs often and may run late, so `due_stage` names only the latest stage that
applies: a job that was down for three days sends the one email that still matters, not a
burst of stale ones, and never goes back to an earlier stage once a later one was sent.
Nothing here reads the clock or the database.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from domain.calendar import BOGOTA, local_date
from domain.enums import RequestStatus
from domain.renewal import days_until_expiry, renewable_from

DEFAULT_REMINDER_DAYS: tuple[int, ...] = (30, 15, 7, 1)
"""Days before expiry at which a reminder is sent, unless configured otherwise."""

MAX_REMINDER_DAYS = 366


class ReminderKind(StrEnum):
    RENEWAL_OPEN = "RENEWAL_OPEN"
    """The renewal window opened: the company may now ask for the renewal."""
    BEFORE_EXPIRY = "BEFORE_EXPIRY"
    """A reminder some days before the expiry date."""
    EXPIRED = "EXPIRED"
    """The certificate expired: sent once, after the expiry instant."""


_KIND_RANK = {ReminderKind.RENEWAL_OPEN: 0, ReminderKind.BEFORE_EXPIRY: 1, ReminderKind.EXPIRED: 2}
"""Between two stages due at the same instant, the later in this order wins (it says more)."""

_BEFORE_EXPIRY_PREFIX = "BEFORE_EXPIRY_"

SILENCING_RENEWAL_STATUSES = frozenset({RequestStatus.IN_REVIEW, RequestStatus.COMPLETED})
"""A renewal of the certificate in one of these statuses silences its reminders."""


@dataclass(frozen=True)
class ReminderStage:
    kind: ReminderKind
    days_before: int | None = None
    """Only for BEFORE_EXPIRY: how many Bogotá calendar days before the expiry date."""

    def __post_init__(self) -> None:
        has_days = self.days_before is not None
        if has_days != (self.kind is ReminderKind.BEFORE_EXPIRY):
            raise ValueError("days_before goes with BEFORE_EXPIRY, and only with it")
        if self.days_before is not None and not 1 <= self.days_before <= MAX_REMINDER_DAYS:
            raise ValueError(f"days_before must be between 1 and {MAX_REMINDER_DAYS}")

    @property
    def key(self) -> str:
        """How the stage is stored in the ledger: RENEWAL_OPEN, BEFORE_EXPIRY_30, EXPIRED."""
        if self.days_before is None:
            return self.kind.value
        return f"{_BEFORE_EXPIRY_PREFIX}{self.days_before}"

    @classmethod
    def from_key(cls, key: str) -> "ReminderStage":
        try:
            if key.startswith(_BEFORE_EXPIRY_PREFIX):
                days = int(key.removeprefix(_BEFORE_EXPIRY_PREFIX))
                return cls(ReminderKind.BEFORE_EXPIRY, days)
            return cls(ReminderKind(key))
        except ValueError:
            raise ValueError(f"unknown reminder stage {key!r}") from None

    @property
    def label(self) -> str:
        """The stage as people read it, in Spanish."""
        if self.kind is ReminderKind.RENEWAL_OPEN:
            return "Aviso de renovación disponible"
        if self.kind is ReminderKind.EXPIRED:
            return "Aviso de vencimiento"
        days = self.days_before
        return f"Recordatorio {days} {'día' if days == 1 else 'días'} antes del vencimiento"


RENEWAL_OPEN = ReminderStage(ReminderKind.RENEWAL_OPEN)
EXPIRED = ReminderStage(ReminderKind.EXPIRED)


def before_expiry(days: int) -> ReminderStage:
    return ReminderStage(ReminderKind.BEFORE_EXPIRY, days)


def reminder_stages(days: Iterable[int] = DEFAULT_REMINDER_DAYS) -> tuple[ReminderStage, ...]:
    """The whole timeline: renewal open, a reminder per day count (furthest first), expired."""
    counts = sorted(set(days), reverse=True)
    return (RENEWAL_OPEN, *(before_expiry(d) for d in counts), EXPIRED)


DEFAULT_STAGES = reminder_stages()


def parse_reminder_days(raw: str) -> tuple[int, ...]:
    """`"30,15,7,1"` as `(30, 15, 7, 1)`; blank gives none (only the renewal and expiry emails)."""
    days: list[int] = []
    for part in raw.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            value = int(item)
        except ValueError:
            raise ValueError(f"REMINDER_DAYS: {item!r} is not a whole number of days") from None
        if not 1 <= value <= MAX_REMINDER_DAYS:
            raise ValueError(f"REMINDER_DAYS: {value} must be between 1 and {MAX_REMINDER_DAYS}")
        if value not in days:
            days.append(value)
    return tuple(sorted(days, reverse=True))


def _start_of_day(day_offset: int, valid_until: datetime) -> datetime:
    day = local_date(valid_until) - timedelta(days=day_offset)
    return datetime.combine(day, time(0), tzinfo=BOGOTA).astimezone(UTC)


def stage_due_at(stage: ReminderStage, valid_until: datetime) -> datetime:
    """The instant from which the stage applies to a certificate expiring at `valid_until`."""
    if stage.kind is ReminderKind.RENEWAL_OPEN:
        return renewable_from(valid_until)
    if stage.kind is ReminderKind.EXPIRED:
        return valid_until
    assert stage.days_before is not None
    return _start_of_day(stage.days_before, valid_until)


def _order(stage: ReminderStage, valid_until: datetime) -> tuple[datetime, int]:
    return (stage_due_at(stage, valid_until), _KIND_RANK[stage.kind])


def due_stage(
    valid_until: datetime,
    now: datetime,
    stages: Sequence[ReminderStage] = DEFAULT_STAGES,
    already_sent: Collection[ReminderStage] = (),
) -> ReminderStage | None:
    """The stage to email now, or None.

    Only the latest stage that applies at `now` is considered; it is due unless it, or a stage
    after it, was already sent. Earlier stages that were missed are skipped for good.
    """
    applicable = [stage for stage in stages if stage_due_at(stage, valid_until) <= now]
    if not applicable:
        return None
    latest = max(applicable, key=lambda stage: _order(stage, valid_until))
    latest_order = _order(latest, valid_until)
    if any(_order(sent, valid_until) >= latest_order for sent in already_sent):
        return None
    return latest


def lookahead(stages: Sequence[ReminderStage] = DEFAULT_STAGES) -> timedelta:
    """No stage is due yet for a certificate that expires later than now plus this.

    Lets the job select its candidates in the database before asking `due_stage` about each.
    """
    days = max((stage.days_before or 0 for stage in stages), default=0)
    # A stage falls at 00:00 of its day, up to a day before the expiry instant of that day; a
    # calendar month is at most 31 days.
    return timedelta(days=max(days, 31) + 2)


def reminders_silenced(renewal_statuses: Iterable[RequestStatus]) -> bool:
    """Whether the renewal requests of the certificate silence its reminders (one in review or done)."""
    return any(status in SILENCING_RENEWAL_STATUSES for status in renewal_statuses)


def time_left_es(valid_until: datetime, now: datetime) -> str:
    """How long until expiry, in Bogotá calendar days, as an email says it: «hoy», «mañana», «en 15 días»."""
    days = days_until_expiry(valid_until, now)
    if days <= 0:
        return "hoy"
    if days == 1:
        return "mañana"
    return f"en {days} días"
