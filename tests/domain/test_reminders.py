"""The expiry timeline: which email is due at chosen instants, in Bogotá calendar days."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.calendar import BOGOTA, is_holiday
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus, NoticeCode, RequestKind, RequestStatus
from domain.notices import NoticeState, tracking_notices
from domain.reminders import (
    DEFAULT_STAGES,
    EXPIRED,
    RENEWAL_OPEN,
    ReminderKind,
    ReminderStage,
    before_expiry,
    due_stage,
    lookahead,
    parse_reminder_days,
    reminder_stages,
    reminders_silenced,
    stage_due_at,
    time_left_es,
)
from domain.renewal import decide_eligibility

#: Midnight in Bogotá, as reviewers usually approve: the certificate ends as the 26th begins.
VALID_UNTIL = datetime(2027, 11, 26, tzinfo=BOGOTA)
SECOND = timedelta(seconds=1)


def bogota(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BOGOTA)


#: Each stage of the default timeline of VALID_UNTIL and the Bogotá instant it becomes due.
TIMELINE = [
    (RENEWAL_OPEN, bogota(2027, 10, 26)),
    (before_expiry(30), bogota(2027, 10, 27)),
    (before_expiry(15), bogota(2027, 11, 11)),
    (before_expiry(7), bogota(2027, 11, 19)),
    (before_expiry(1), bogota(2027, 11, 25)),
    (EXPIRED, VALID_UNTIL),
]


class TestStages:
    def test_the_default_timeline_in_order(self) -> None:
        assert [stage for stage, _ in TIMELINE] == list(DEFAULT_STAGES)
        for stage, at in TIMELINE:
            assert stage_due_at(stage, VALID_UNTIL) == at

    @pytest.mark.usefixtures("machine_five_hours_behind_utc")
    def test_due_instants_are_said_in_utc_whatever_the_machines_zone(self) -> None:
        assert stage_due_at(before_expiry(30), VALID_UNTIL).isoformat() == (
            "2027-10-27T05:00:00+00:00"
        )

    def test_keys_round_trip_and_read_well(self) -> None:
        assert [s.key for s in DEFAULT_STAGES] == [
            "RENEWAL_OPEN",
            "BEFORE_EXPIRY_30",
            "BEFORE_EXPIRY_15",
            "BEFORE_EXPIRY_7",
            "BEFORE_EXPIRY_1",
            "EXPIRED",
        ]
        for stage in DEFAULT_STAGES:
            assert ReminderStage.from_key(stage.key) == stage
        assert before_expiry(1).label == "Recordatorio 1 día antes del vencimiento"
        assert before_expiry(15).label == "Recordatorio 15 días antes del vencimiento"

    @pytest.mark.parametrize("key", ["BEFORE_EXPIRY", "BEFORE_EXPIRY_0", "BEFORE_EXPIRY_x", "SOON"])
    def test_unknown_keys_are_refused(self, key: str) -> None:
        with pytest.raises(ValueError, match="unknown reminder stage"):
            ReminderStage.from_key(key)

    def test_days_only_with_before_expiry(self) -> None:
        only_with = "^days_before goes with BEFORE_EXPIRY, and only with it$"
        with pytest.raises(ValueError, match=only_with):
            ReminderStage(ReminderKind.EXPIRED, 3)
        with pytest.raises(ValueError, match=only_with):
            ReminderStage(ReminderKind.BEFORE_EXPIRY)

    @pytest.mark.parametrize("days", [1, 366])
    def test_days_before_from_1_to_366_inclusive(self, days: int) -> None:
        assert before_expiry(days).days_before == days

    @pytest.mark.parametrize("days", [0, 367])
    def test_days_before_out_of_range(self, days: int) -> None:
        with pytest.raises(ValueError, match=r"^days_before must be between 1 and 366$"):
            before_expiry(days)

    def test_configured_days_are_ordered_furthest_first(self) -> None:
        assert reminder_stages([7, 60, 7]) == (
            RENEWAL_OPEN,
            before_expiry(60),
            before_expiry(7),
            EXPIRED,
        )
        assert reminder_stages([]) == (RENEWAL_OPEN, EXPIRED)


class TestParseReminderDays:
    @pytest.mark.parametrize(
        ("raw", "days"),
        [
            ("30,15,7,1", (30, 15, 7, 1)),
            (" 1, 7 ,30,15 ", (30, 15, 7, 1)),
            ("45,45,3", (45, 3)),
            ("", ()),
            (",", ()),
            ("30,,7", (30, 7)),  # an empty item is skipped, the rest still read
            (",1", (1,)),
            ("366,1", (366, 1)),  # the upper bound is allowed
        ],
    )
    def test_valid(self, raw: str, days: tuple[int, ...]) -> None:
        assert parse_reminder_days(raw) == days

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ("0", "REMINDER_DAYS: 0 must be between 1 and 366"),
            ("-1", "REMINDER_DAYS: -1 must be between 1 and 366"),
            ("367", "REMINDER_DAYS: 367 must be between 1 and 366"),
            ("400", "REMINDER_DAYS: 400 must be between 1 and 366"),
            ("30,quince", "REMINDER_DAYS: 'quince' is not a whole number of days"),
            ("1.5", "REMINDER_DAYS: '1.5' is not a whole number of days"),
        ],
    )
    def test_invalid(self, raw: str, message: str) -> None:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            parse_reminder_days(raw)


class TestDueStage:
    @pytest.mark.parametrize(("index"), range(len(TIMELINE)))
    def test_before_at_and_after_each_stage(self, index: int) -> None:
        stage, at = TIMELINE[index]
        earlier = {s for s, _ in TIMELINE[:index]}
        previous = TIMELINE[index - 1][0] if index else None
        # Just before: still the previous stage (if it was not sent), nothing new once it was.
        assert due_stage(VALID_UNTIL, at - SECOND, DEFAULT_STAGES, earlier - {previous}) == (
            previous
        )
        assert due_stage(VALID_UNTIL, at - SECOND, DEFAULT_STAGES, earlier) is None
        # At the instant, and an hour later: this stage, once.
        assert due_stage(VALID_UNTIL, at, DEFAULT_STAGES, earlier) == stage
        assert due_stage(VALID_UNTIL, at + timedelta(hours=1), DEFAULT_STAGES, earlier) == stage
        assert (
            due_stage(VALID_UNTIL, at + timedelta(hours=1), DEFAULT_STAGES, {*earlier, stage})
            is None
        )

    def test_nothing_before_the_window_opens(self) -> None:
        assert due_stage(VALID_UNTIL, bogota(2027, 1, 1), DEFAULT_STAGES, ()) is None
        assert due_stage(VALID_UNTIL, bogota(2027, 10, 25, 23, 59), DEFAULT_STAGES, ()) is None

    def test_a_job_down_for_three_days_sends_only_the_latest_stage(self) -> None:
        # 15 was sent on 11/11; the server was down from 18/11 to 21/11: 7 was due on 19/11.
        sent = {RENEWAL_OPEN, before_expiry(30), before_expiry(15)}
        back = bogota(2027, 11, 21, 9)
        assert due_stage(VALID_UNTIL, back, DEFAULT_STAGES, sent) == before_expiry(7)
        # Down across the 1-day stage and the expiry: only the expiry email.
        assert due_stage(VALID_UNTIL, bogota(2027, 11, 28), DEFAULT_STAGES, sent) == EXPIRED

    def test_first_seen_late_skips_straight_to_the_latest_stage(self) -> None:
        # A certificate issued for just ten days: the 30- and 15-day stages are already past.
        assert due_stage(VALID_UNTIL, bogota(2027, 11, 16), DEFAULT_STAGES, ()) == before_expiry(15)

    def test_never_goes_back_to_an_earlier_stage(self) -> None:
        # The 1-day reminder went out; the schedule changed to add 3 days: nothing more to send.
        stages = reminder_stages([30, 15, 7, 3, 1])
        sent = {before_expiry(1)}
        assert due_stage(VALID_UNTIL, bogota(2027, 11, 25, 12), stages, sent) is None
        assert due_stage(VALID_UNTIL, bogota(2027, 11, 26, 1), stages, sent) == EXPIRED

    def test_days_are_bogota_calendar_days_not_utc(self) -> None:
        sent = {s for s, _ in TIMELINE[:4]}
        # 23:59 on the 24th in Bogotá is already the 25th in UTC: not due yet.
        late_evening = datetime(2027, 11, 25, 4, 59, tzinfo=UTC)
        assert due_stage(VALID_UNTIL, late_evening, DEFAULT_STAGES, sent) is None
        midnight = datetime(2027, 11, 25, 5, 0, tzinfo=UTC)
        assert due_stage(VALID_UNTIL, midnight, DEFAULT_STAGES, sent) == before_expiry(1)

    def test_expiring_in_the_afternoon(self) -> None:
        # Valid until 15:00 on the 26th: the 1-day stage is due on the 25th, the expiry at 15:00.
        afternoon = bogota(2027, 11, 26, 15)
        sent = {s for s, _ in TIMELINE[:5]}
        assert stage_due_at(before_expiry(1), afternoon) == bogota(2027, 11, 25)
        assert due_stage(afternoon, bogota(2027, 11, 26, 14, 59), DEFAULT_STAGES, sent) is None
        assert due_stage(afternoon, bogota(2027, 11, 26, 15), DEFAULT_STAGES, sent) == EXPIRED

    def test_a_holiday_does_not_move_a_reminder(self) -> None:
        # Reyes Magos 2027 is observed on Monday 11/01 (Ley Emiliani); Navidad is Friday 25/12/2026.
        assert is_holiday(date(2027, 1, 11))
        assert is_holiday(date(2026, 12, 25))
        valid_until = bogota(2027, 1, 12)
        assert stage_due_at(before_expiry(1), valid_until) == bogota(2027, 1, 11)
        sent = {RENEWAL_OPEN, before_expiry(30), before_expiry(15), before_expiry(7)}
        assert due_stage(valid_until, bogota(2027, 1, 10, 23), DEFAULT_STAGES, sent) is None
        assert due_stage(valid_until, bogota(2027, 1, 11, 0, 5), DEFAULT_STAGES, sent) == (
            before_expiry(1)
        )
        christmas_stage = stage_due_at(before_expiry(15), bogota(2027, 1, 9))
        assert christmas_stage == bogota(2026, 12, 25)

    def test_across_the_leap_day(self) -> None:
        # Expiring on 07/03/2028: seven calendar days back counts 29/02.
        assert stage_due_at(before_expiry(7), bogota(2028, 3, 7)) == bogota(2028, 2, 29)
        # Expiring on the leap day itself.
        leap = bogota(2028, 2, 29)
        assert stage_due_at(RENEWAL_OPEN, leap) == bogota(2028, 1, 29)
        assert stage_due_at(before_expiry(1), leap) == bogota(2028, 2, 28)
        sent = {s for s, _ in TIMELINE[:5]}
        assert due_stage(leap, bogota(2028, 2, 28, 23), DEFAULT_STAGES, sent) is None
        assert due_stage(leap, bogota(2028, 2, 29), DEFAULT_STAGES, sent) == EXPIRED
        # Expiring on 01/03/2028: the day before is the leap day.
        assert stage_due_at(before_expiry(1), bogota(2028, 3, 1)) == bogota(2028, 2, 29)

    def test_stages_due_at_the_same_instant_send_the_reminder(self) -> None:
        # Expiring 30/03/2028: one month back is 29/02 (clamped), and so are thirty days back.
        valid_until = bogota(2028, 3, 30)
        assert stage_due_at(RENEWAL_OPEN, valid_until) == bogota(2028, 2, 29)
        assert stage_due_at(before_expiry(30), valid_until) == bogota(2028, 2, 29)
        assert due_stage(valid_until, bogota(2028, 2, 29, 8), DEFAULT_STAGES, ()) == (
            before_expiry(30)
        )
        assert (
            due_stage(valid_until, bogota(2028, 2, 29, 8), DEFAULT_STAGES, {before_expiry(30)})
            is None
        )

    def test_the_renewal_notice_comes_after_the_30_day_reminder_in_short_months(self) -> None:
        # Expiring 15/03/2027: thirty days back is 13/02, one month back is 15/02.
        valid_until = bogota(2027, 3, 15)
        assert due_stage(valid_until, bogota(2027, 2, 13, 1), DEFAULT_STAGES, ()) == (
            before_expiry(30)
        )
        sent = {before_expiry(30)}
        assert due_stage(valid_until, bogota(2027, 2, 14, 1), DEFAULT_STAGES, sent) is None
        assert due_stage(valid_until, bogota(2027, 2, 15, 1), DEFAULT_STAGES, sent) == RENEWAL_OPEN


class TestLookahead:
    @pytest.mark.parametrize(
        ("days", "window"),
        [((), 33), ((30, 15, 7, 1), 33), ((31,), 33), ((32,), 34), ((45, 1), 47), ((366,), 368)],
    )
    def test_a_month_or_the_furthest_reminder_plus_two_days(
        self, days: tuple[int, ...], window: int
    ) -> None:
        """As tight as the rule allows: a month (at most 31 days) or the furthest reminder, plus
        up to a day from 00:00 of the stage's day to the expiry instant, plus a day of margin."""
        assert lookahead(reminder_stages(days)) == timedelta(days=window)

    def test_no_stages_at_all(self) -> None:
        assert lookahead([]) == timedelta(days=33)

    def test_no_stage_falls_before_valid_until_minus_lookahead(self) -> None:
        for stages in (DEFAULT_STAGES, reminder_stages([45, 1]), reminder_stages([])):
            window = lookahead(stages)
            day = bogota(2027, 1, 1, 17, 30)
            while day < bogota(2029, 1, 1):
                for stage in stages:
                    assert stage_due_at(stage, day) > day - window, (stage, day)
                day += timedelta(days=1)


class TestSilencing:
    def test_a_renewal_in_review_or_completed_silences(self) -> None:
        assert reminders_silenced([RequestStatus.IN_REVIEW])
        assert reminders_silenced([RequestStatus.REJECTED, RequestStatus.COMPLETED])

    def test_a_rejected_renewal_or_none_does_not(self) -> None:
        assert not reminders_silenced([RequestStatus.REJECTED])
        assert not reminders_silenced([])


def test_time_left_in_words() -> None:
    assert time_left_es(VALID_UNTIL, bogota(2027, 11, 11, 9)) == "en 15 días"
    assert time_left_es(VALID_UNTIL, bogota(2027, 11, 25, 23, 59)) == "mañana"
    assert time_left_es(bogota(2027, 11, 26, 15), bogota(2027, 11, 26, 8)) == "hoy"


class TestAgreesWithTheTrackingNotices:
    """The job's RENEWAL_OPEN and EXPIRED stages fall exactly when the tracking screen changes."""

    VALID_UNTILS = (
        VALID_UNTIL,
        bogota(2027, 3, 31, 10),  # one month back is clamped to 28/02
        bogota(2028, 3, 30),  # ... to the leap day
        bogota(2028, 2, 29, 17, 45),
        bogota(2027, 1, 12),  # the day before is a holiday
    )

    @staticmethod
    def notice(valid_until: datetime, now: datetime) -> NoticeCode:
        certificate = CertificateSnapshot(
            1, CertificateStatus.ACTIVE, valid_until - timedelta(days=365), valid_until
        )
        [notice] = tracking_notices(NoticeState(now=now, certificate=certificate))
        return notice.code

    @pytest.mark.parametrize("valid_until", VALID_UNTILS)
    def test_renewal_open(self, valid_until: datetime) -> None:
        opens = stage_due_at(RENEWAL_OPEN, valid_until)
        tick = timedelta(microseconds=1)
        assert self.notice(valid_until, opens - tick) is NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET
        assert self.notice(valid_until, opens) is NoticeCode.CERTIFICATE_RENEWAL_OPEN
        assert due_stage(valid_until, opens - tick, [RENEWAL_OPEN, EXPIRED], ()) is None
        assert due_stage(valid_until, opens, [RENEWAL_OPEN, EXPIRED], ()) == RENEWAL_OPEN
        snapshot = CertificateSnapshot(1, CertificateStatus.ACTIVE, opens, valid_until)
        assert decide_eligibility([snapshot], [], opens).kind is RequestKind.RENEWAL

    @pytest.mark.parametrize("valid_until", VALID_UNTILS)
    def test_expired(self, valid_until: datetime) -> None:
        expires = stage_due_at(EXPIRED, valid_until)
        tick = timedelta(microseconds=1)
        assert self.notice(valid_until, expires - tick) is NoticeCode.CERTIFICATE_RENEWAL_OPEN
        assert self.notice(valid_until, expires) is NoticeCode.CERTIFICATE_EXPIRED
        sent = {RENEWAL_OPEN}
        assert due_stage(valid_until, expires - tick, [RENEWAL_OPEN, EXPIRED], sent) is None
        assert due_stage(valid_until, expires, [RENEWAL_OPEN, EXPIRED], sent) == EXPIRED
