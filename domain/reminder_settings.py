"""Reminder settings of a company: which stages, through which channel, to whom besides the
principal contact. Defaults come from the server's settings (REMINDER_DAYS, REMINDER_CHANNEL)."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.enums import ErrorCode
from domain.errors import DomainError
from domain.reminders import MAX_REMINDER_DAYS, ReminderKind, ReminderStage, reminder_stages

MAX_STAGES = 10
MAX_EXTRA_RECIPIENTS = 5


class ReminderChannel(StrEnum):
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"
    BOTH = "BOTH"

    @property
    def by_email(self) -> bool:
        return self is not ReminderChannel.WEBHOOK

    @property
    def by_webhook(self) -> bool:
        return self is not ReminderChannel.EMAIL


@dataclass(frozen=True)
class ReminderPlan:
    """What a company wants: days before expiry, the email after expiry, the channel."""

    days_before: tuple[int, ...]
    after_expiry: bool
    channel: ReminderChannel

    def stages(self) -> tuple[ReminderStage, ...]:
        """The timeline: renewal open, a reminder per day count, and (if wanted) expired."""
        stages = reminder_stages(self.days_before)
        if self.after_expiry:
            return stages
        return tuple(stage for stage in stages if stage.kind is not ReminderKind.EXPIRED)


def validate_days(days: Iterable[int]) -> tuple[int, ...]:
    """Distinct day counts, furthest first; each from 1 to 366, at most MAX_STAGES of them."""
    chosen = sorted(set(days), reverse=True)
    if len(chosen) > MAX_STAGES:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Elige como máximo {MAX_STAGES} recordatorios.",
            field="daysBefore",
        )
    for value in chosen:
        if not 1 <= value <= MAX_REMINDER_DAYS:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"Cada recordatorio debe estar entre 1 y {MAX_REMINDER_DAYS} días antes del "
                "vencimiento.",
                field="daysBefore",
            )
    return tuple(chosen)
