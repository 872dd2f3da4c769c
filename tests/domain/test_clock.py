"""The injected clock: the system's, in UTC, and the fixed one tests stand at any instant."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.clock import FixedClock, SystemClock

BOGOTA_OFFSET = timezone(timedelta(hours=-5))
NAIVE_REFUSED = r"^FixedClock needs a timezone-aware datetime$"


def test_the_system_clock_is_aware_and_in_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)


def test_a_fixed_clock_stands_still_in_utc_until_moved() -> None:
    clock = FixedClock(datetime(2026, 11, 24, 10, 0, tzinfo=BOGOTA_OFFSET))
    assert clock.now() == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.now() == clock.now()
    clock.advance(timedelta(hours=2))
    assert clock.now() == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    clock.advance(timedelta(days=1))
    assert clock.now() == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    clock.set(datetime(2027, 1, 1, 0, 0, tzinfo=BOGOTA_OFFSET))
    assert clock.now() == datetime(2027, 1, 1, 5, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_a_fixed_clock_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match=NAIVE_REFUSED):
        FixedClock(datetime(2026, 11, 24, 15, 0))
    clock = FixedClock(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match=NAIVE_REFUSED):
        clock.set(datetime(2026, 11, 24, 15, 0))
    assert clock.now() == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
