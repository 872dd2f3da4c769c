"""A company's reminder settings: which day counts it may choose, and the timeline they give."""

import pytest

from domain.enums import ErrorCode
from domain.reminder_settings import ReminderChannel, ReminderPlan, validate_days
from domain.reminders import EXPIRED, RENEWAL_OPEN, before_expiry
from tests.support.refusals import assert_refusal, refusal

OUT_OF_RANGE = "Cada recordatorio debe estar entre 1 y 366 días antes del vencimiento."


def test_the_days_distinct_and_furthest_first() -> None:
    assert validate_days([7, 30, 1, 15, 7]) == (30, 15, 7, 1)
    assert validate_days([]) == ()


def test_from_one_day_to_a_year_and_a_day() -> None:
    assert validate_days([1, 366]) == (366, 1)


@pytest.mark.parametrize("days", [[0], [367], [30, -1], [400, 7]])
def test_a_day_count_out_of_range_is_refused(days: list[int]) -> None:
    assert_refusal(
        refusal(validate_days, days),
        code=ErrorCode.INVALID_INPUT,
        field="daysBefore",
        message=OUT_OF_RANGE,
    )


def test_ten_reminders_at_most() -> None:
    assert validate_days(range(1, 11)) == tuple(range(10, 0, -1))
    assert_refusal(
        refusal(validate_days, range(1, 12)),
        code=ErrorCode.INVALID_INPUT,
        field="daysBefore",
        message="Elige como máximo 10 recordatorios.",
    )


@pytest.mark.parametrize(
    ("after_expiry", "expected"),
    [
        (True, (RENEWAL_OPEN, before_expiry(30), before_expiry(7), EXPIRED)),
        (False, (RENEWAL_OPEN, before_expiry(30), before_expiry(7))),
    ],
)
def test_the_timeline_of_a_plan(after_expiry: bool, expected: tuple[object, ...]) -> None:
    plan = ReminderPlan(
        days_before=(30, 7), after_expiry=after_expiry, channel=ReminderChannel.BOTH
    )
    assert plan.stages() == expected


@pytest.mark.parametrize(
    ("channel", "by_email", "by_webhook"),
    [
        (ReminderChannel.EMAIL, True, False),
        (ReminderChannel.WEBHOOK, False, True),
        (ReminderChannel.BOTH, True, True),
    ],
)
def test_the_channel(channel: ReminderChannel, by_email: bool, by_webhook: bool) -> None:
    assert (channel.by_email, channel.by_webhook) == (by_email, by_webhook)
