"""The suggested renewal window (ACME ARI style)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enums import CertificateStatus
from domain.renewal import renewable_from
from domain.renewal_window import suggested_renewal_window

UNTIL = datetime(2027, 11, 26, 5, 0, tzinfo=UTC)


def test_it_opens_with_the_renewal_month_and_ends_days_before_expiry() -> None:
    window = suggested_renewal_window(CertificateStatus.ACTIVE, None, UNTIL, end_days=7)
    assert window is not None
    assert window.start == datetime(2027, 10, 26, 5, 0, tzinfo=UTC)
    assert window.end == datetime(2027, 11, 19, 5, 0, tzinfo=UTC)


def test_a_window_cannot_end_after_the_expiry() -> None:
    with pytest.raises(ValueError, match=r"^end_days must not be negative$"):
        suggested_renewal_window(CertificateStatus.ACTIVE, None, UNTIL, end_days=-1)
    window = suggested_renewal_window(CertificateStatus.ACTIVE, None, UNTIL, end_days=0)
    assert window is not None
    assert window.end == UNTIL


def test_no_window_for_a_revoked_or_renewed_certificate() -> None:
    assert suggested_renewal_window(CertificateStatus.REVOKED, None, UNTIL) is None
    assert suggested_renewal_window(CertificateStatus.ACTIVE, 9, UNTIL) is None
    assert suggested_renewal_window(CertificateStatus.EXPIRED, None, UNTIL) is not None


@given(
    until=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
    days=st.integers(0, 28),
)
def test_the_window_starts_when_renewal_opens_and_never_ends_before_it_starts(
    until: datetime, days: int
) -> None:
    window = suggested_renewal_window(CertificateStatus.ACTIVE, None, until, end_days=days)
    assert window is not None
    assert window.start == renewable_from(until)
    assert window.start <= window.end <= until
    assert window.end == max(window.start, until - timedelta(days=days))
