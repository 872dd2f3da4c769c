"""Colombian business days, Bogotá dates and calendar months, as people count them."""

from datetime import UTC, date, datetime, timedelta, tzinfo

import pytest

from domain.calendar import (
    BOGOTA,
    DECISION_BUSINESS_DAYS,
    add_business_days,
    add_months,
    expected_decision_by,
    format_date_es,
    is_business_day,
    local_date,
)

AWARE_NEEDED = r"^se necesita un datetime con zona horaria \(aware\)$"


def bogota(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BOGOTA)


class TestLocalDate:
    def test_late_evening_in_bogota_is_still_that_day_though_utc_is_tomorrow(self) -> None:
        at = datetime(2026, 12, 5, 2, 30, tzinfo=UTC)  # Friday 21:30 in Bogotá
        assert local_date(at) == date(2026, 12, 4)

    def test_local_midnight_starts_the_next_day(self) -> None:
        assert local_date(datetime(2026, 12, 5, 5, 0, tzinfo=UTC)) == date(2026, 12, 5)
        assert local_date(datetime(2026, 12, 5, 4, 59, 59, tzinfo=UTC)) == date(2026, 12, 4)

    def test_bogota_is_five_hours_behind_utc(self) -> None:
        assert bogota(2027, 1, 1).utcoffset() == timedelta(hours=-5)

    def test_naive_datetime_is_refused(self) -> None:
        with pytest.raises(ValueError, match=AWARE_NEEDED):
            local_date(datetime(2026, 12, 4, 12, 0))

    def test_a_timezone_without_an_offset_is_refused_too(self) -> None:
        class NoOffset(tzinfo):
            def utcoffset(self, dt: datetime | None) -> timedelta | None:
                return None

            def dst(self, dt: datetime | None) -> timedelta | None:
                return None

            def tzname(self, dt: datetime | None) -> str | None:
                return None

        with pytest.raises(ValueError, match=AWARE_NEEDED):
            local_date(datetime(2026, 12, 4, 12, 0, tzinfo=NoOffset()))


class TestIsBusinessDay:
    @pytest.mark.parametrize(
        "day",
        [
            date(2026, 12, 4),  # Friday
            date(2026, 12, 7),  # Monday
            date(2026, 12, 9),  # Wednesday
            date(2027, 1, 6),  # Reyes Magos's own date: the holiday moved to Monday the 11th
            date(2027, 1, 12),  # Tuesday after the moved Monday
        ],
    )
    def test_working_days(self, day: date) -> None:
        assert is_business_day(day)

    @pytest.mark.parametrize(
        ("day", "why"),
        [
            (date(2026, 12, 5), "sábado"),
            (date(2026, 12, 6), "domingo"),
            (date(2026, 12, 8), "Inmaculada Concepción (martes)"),
            (date(2026, 12, 25), "Navidad"),
            (date(2027, 1, 1), "Año Nuevo"),
            (date(2027, 1, 11), "Reyes Magos trasladado al lunes (Ley Emiliani)"),
            (date(2027, 3, 22), "San José trasladado al lunes"),
            (date(2027, 3, 25), "Jueves Santo"),
            (date(2027, 3, 26), "Viernes Santo"),
            (date(2026, 7, 20), "Independencia"),
            (date(2026, 8, 7), "Batalla de Boyacá"),
            (date(2027, 10, 18), "Día de la Raza trasladado al lunes"),
            (date(2026, 11, 16), "Independencia de Cartagena trasladada al lunes"),
        ],
    )
    def test_weekends_and_national_holidays_are_not(self, day: date, why: str) -> None:
        assert not is_business_day(day), why

    def test_works_for_any_year(self) -> None:
        assert not is_business_day(date(2030, 12, 25))
        assert is_business_day(date(2030, 12, 24))


class TestAddBusinessDays:
    @pytest.mark.parametrize(
        ("start", "count", "expected"),
        [
            (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday → Monday
            (date(2026, 12, 4), 2, date(2026, 12, 9)),  # skips Tuesday 8, a holiday
            (date(2026, 12, 5), 1, date(2026, 12, 7)),  # from a Saturday
            (date(2026, 12, 24), 1, date(2026, 12, 28)),  # skips Christmas and the weekend
            (date(2027, 1, 8), 1, date(2027, 1, 12)),  # skips the Ley Emiliani Monday
            (date(2027, 3, 24), 1, date(2027, 3, 29)),  # skips Holy Thursday and Friday
            (date(2026, 12, 7), 5, date(2026, 12, 15)),
        ],
    )
    def test_counts_only_business_days_strictly_after_start(
        self, start: date, count: int, expected: date
    ) -> None:
        assert add_business_days(start, count) == expected

    def test_zero_days_is_the_start_itself(self) -> None:
        assert add_business_days(date(2026, 12, 5), 0) == date(2026, 12, 5)

    def test_negative_count_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^count no puede ser negativo$"):
            add_business_days(date(2026, 12, 4), -1)


class TestExpectedDecisionBy:
    def test_two_business_days(self) -> None:
        assert DECISION_BUSINESS_DAYS == 2

    def test_friday_before_a_tuesday_holiday_is_decided_by_wednesday(self) -> None:
        assert expected_decision_by(bogota(2026, 12, 4, 15, 0)) == date(2026, 12, 9)

    def test_thursday_night_in_bogota_counts_from_thursday_not_from_utc_friday(self) -> None:
        submitted = bogota(2026, 12, 3, 22, 0)
        assert submitted.astimezone(UTC).date() == date(2026, 12, 4)
        assert expected_decision_by(submitted) == date(2026, 12, 7)

    def test_friday_before_a_ley_emiliani_monday(self) -> None:
        assert expected_decision_by(bogota(2027, 1, 8, 9, 0)) == date(2027, 1, 13)

    def test_sent_on_a_weekend(self) -> None:
        assert expected_decision_by(bogota(2026, 12, 12, 10, 0)) == date(2026, 12, 15)


class TestAddMonths:
    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            (bogota(2027, 3, 31, 10, 0), -1, bogota(2027, 2, 28, 10, 0)),
            (bogota(2028, 3, 31, 10, 0), -1, bogota(2028, 2, 29, 10, 0)),  # leap year
            (bogota(2028, 2, 29, 10, 0), 12, bogota(2029, 2, 28, 10, 0)),
            (bogota(2028, 2, 29, 10, 0), 48, bogota(2032, 2, 29, 10, 0)),
            (bogota(2027, 1, 31, 8, 0), 1, bogota(2027, 2, 28, 8, 0)),
            (bogota(2027, 5, 31, 8, 0), 1, bogota(2027, 6, 30, 8, 0)),
            (bogota(2027, 3, 15, 0, 0), -1, bogota(2027, 2, 15, 0, 0)),
            (bogota(2027, 1, 15, 12, 0), -1, bogota(2026, 12, 15, 12, 0)),
            (bogota(2026, 11, 30, 12, 0), 14, bogota(2028, 1, 30, 12, 0)),
            (bogota(2026, 11, 30, 12, 0), -23, bogota(2024, 12, 30, 12, 0)),
            (bogota(2027, 3, 15, 12, 0), 0, bogota(2027, 3, 15, 12, 0)),
        ],
    )
    def test_calendar_months_clamped_to_month_end(
        self, start: datetime, months: int, expected: datetime
    ) -> None:
        assert add_months(start, months) == expected

    def test_result_is_in_utc(self) -> None:
        result = add_months(datetime(2027, 3, 15, 17, 0, tzinfo=UTC), 1)
        assert result.tzinfo is UTC
        assert result == datetime(2027, 4, 15, 17, 0, tzinfo=UTC)

    def test_months_are_counted_on_the_bogota_calendar_not_the_utc_one(self) -> None:
        # 31 March 04:30 UTC is still 30 March 23:30 in Bogotá: minus one month clamps
        # 30 February to the 28th, at 23:30 in Bogotá.
        at = datetime(2027, 3, 31, 4, 30, tzinfo=UTC)
        result = add_months(at, -1)
        assert result.astimezone(BOGOTA) == bogota(2027, 2, 28, 23, 30)
        assert result == datetime(2027, 3, 1, 4, 30, tzinfo=UTC)

    def test_naive_datetime_is_refused(self) -> None:
        with pytest.raises(ValueError, match="zona horaria"):
            add_months(datetime(2027, 3, 31), 1)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2027, 3, 5), "05/03/2027"),
        (date(2026, 12, 31), "31/12/2026"),
        (date(2028, 2, 29), "29/02/2028"),
    ],
)
def test_format_date_es(day: date, text: str) -> None:
    assert format_date_es(day) == text
