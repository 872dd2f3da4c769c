"""The renewal window, and whether a submission is a new request or a renewal."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.calendar import BOGOTA
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus, ErrorCode, RequestKind, RequestStatus
from domain.errors import DomainError
from domain.renewal import (
    RENEWAL_WINDOW_MONTHS,
    OpenRequest,
    SubmissionDecision,
    current_certificate,
    days_until_expiry,
    decide_eligibility,
    is_renewal_open,
    renewable_from,
    renewal_offered,
)

ACTIVE = CertificateStatus.ACTIVE
INACTIVE = CertificateStatus.INACTIVE
REVOKED = CertificateStatus.REVOKED
EXPIRED = CertificateStatus.EXPIRED

VALID_FROM = datetime(2026, 3, 15, tzinfo=BOGOTA)
VALID_UNTIL = datetime(2027, 3, 15, tzinfo=BOGOTA)  # one year
OPENS = datetime(2027, 2, 15, tzinfo=BOGOTA)


def cert(
    cert_id: int,
    status: CertificateStatus,
    valid_from: datetime = VALID_FROM,
    valid_until: datetime = VALID_UNTIL,
) -> CertificateSnapshot:
    return CertificateSnapshot(cert_id, status, valid_from, valid_until)


class TestWindow:
    def test_one_calendar_month(self) -> None:
        assert RENEWAL_WINDOW_MONTHS == 1
        assert renewable_from(VALID_UNTIL) == OPENS
        assert renewable_from(VALID_UNTIL).tzinfo is UTC

    def test_clamped_at_month_end(self) -> None:
        until = datetime(2028, 3, 31, 12, tzinfo=BOGOTA)
        assert renewable_from(until) == datetime(2028, 2, 29, 12, tzinfo=BOGOTA)

    def test_after_the_first_11_months_of_a_one_year_certificate(self) -> None:
        assert renewable_from(VALID_UNTIL).astimezone(BOGOTA).date() == (
            VALID_FROM.replace(year=2027, month=2).date()
        )

    @pytest.mark.parametrize(
        ("now", "expected"),
        [
            (VALID_FROM, False),
            (OPENS - timedelta(seconds=1), False),
            (OPENS, True),
            (VALID_UNTIL - timedelta(seconds=1), True),
            (VALID_UNTIL, True),
            (VALID_UNTIL + timedelta(days=400), True),  # stays open after expiry
        ],
    )
    def test_is_renewal_open(self, now: datetime, expected: bool) -> None:
        assert is_renewal_open(VALID_UNTIL, now) is expected

    @pytest.mark.parametrize(
        ("now", "days"),
        [
            (datetime(2027, 2, 13, 9, tzinfo=BOGOTA), 30),
            (datetime(2027, 3, 14, 23, 59, tzinfo=BOGOTA), 1),
            (VALID_UNTIL, 0),
            (datetime(2027, 3, 16, 8, tzinfo=BOGOTA), -1),
        ],
    )
    def test_days_until_expiry(self, now: datetime, days: int) -> None:
        assert days_until_expiry(VALID_UNTIL, now) == days

    def test_days_are_counted_on_bogota_dates(self) -> None:
        # 14/03 at 21:00 in Bogotá is already 15/03 in UTC; still one day to go in Bogotá.
        now = datetime(2027, 3, 15, 2, 0, tzinfo=UTC)
        assert days_until_expiry(VALID_UNTIL, now) == 1


NOW = VALID_FROM + timedelta(days=1)
IN_REVIEW_REQUEST = OpenRequest(99, RequestStatus.IN_REVIEW)


class TestCurrentCertificate:
    def test_none_when_there_are_none(self) -> None:
        assert current_certificate([], NOW) is None

    def test_the_active_one_wins_even_if_older(self) -> None:
        old_active = cert(1, ACTIVE)
        newer_inactive = cert(2, INACTIVE, valid_from=VALID_FROM + timedelta(days=30))
        assert current_certificate([newer_inactive, old_active], NOW) == old_active

    def test_else_the_most_recent_by_start(self) -> None:
        older = cert(5, EXPIRED, valid_from=VALID_FROM - timedelta(days=365))
        newer = cert(3, REVOKED)
        assert current_certificate([older, newer], NOW) == newer

    def test_ties_on_start_are_broken_by_id(self) -> None:
        assert current_certificate(
            [cert(7, EXPIRED), cert(9, INACTIVE), cert(8, REVOKED)], NOW
        ) == (cert(9, INACTIVE))


class TestDecideEligibility:
    def test_first_request_is_new(self) -> None:
        assert decide_eligibility([], [], OPENS) == SubmissionDecision(RequestKind.NEW, None)

    def test_a_request_in_review_blocks_any_other(self) -> None:
        with pytest.raises(DomainError) as caught:
            decide_eligibility([], [IN_REVIEW_REQUEST], OPENS)
        assert caught.value.code == ErrorCode.REQUEST_IN_PROGRESS
        assert caught.value.message == (
            "Ya tienes una solicitud en trámite. Haz seguimiento al trámite."
        )

    def test_request_in_review_is_checked_first(self) -> None:
        with pytest.raises(DomainError) as caught:
            decide_eligibility([cert(1, ACTIVE)], [IN_REVIEW_REQUEST], VALID_FROM)
        assert caught.value.code == ErrorCode.REQUEST_IN_PROGRESS
        assert caught.value.message == (
            "Ya tienes una solicitud en trámite. Haz seguimiento al trámite."
        )

    def test_active_certificate_in_its_first_11_months_is_not_renewable(self) -> None:
        with pytest.raises(DomainError) as caught:
            decide_eligibility([cert(1, ACTIVE)], [], OPENS - timedelta(seconds=1))
        assert caught.value.code == ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET
        assert caught.value.message == (
            "Tu certificado está vigente hasta el 15/03/2027. Podrás renovarlo desde el 15/02/2027."
        )

    def test_inactive_certificate_not_yet_renewable_says_it_can_be_reactivated(self) -> None:
        with pytest.raises(DomainError) as caught:
            decide_eligibility([cert(1, INACTIVE)], [], VALID_FROM + timedelta(days=10))
        assert caught.value.code == ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET
        assert caught.value.message == (
            "Tu certificado está inactivo, pero vigente hasta el 15/03/2027. "
            "Puedes volver a activarlo, y podrás renovarlo desde el 15/02/2027."
        )

    @pytest.mark.parametrize(
        "now",
        [OPENS, VALID_UNTIL - timedelta(seconds=1), VALID_UNTIL, VALID_UNTIL + timedelta(days=90)],
    )
    @pytest.mark.parametrize("status", [ACTIVE, INACTIVE, EXPIRED])
    def test_renewal_inside_the_window_and_after_expiry(
        self, status: CertificateStatus, now: datetime
    ) -> None:
        assert decide_eligibility([cert(4, status)], [], now) == SubmissionDecision(
            RequestKind.RENEWAL, 4
        )

    def test_only_revoked_certificates_means_a_new_request(self) -> None:
        decision = decide_eligibility([cert(1, REVOKED), cert(2, REVOKED)], [], VALID_FROM)
        assert decision == SubmissionDecision(RequestKind.NEW, None)

    def test_revoked_certificates_are_ignored_when_choosing_what_to_renew(self) -> None:
        old_expired = cert(
            1, EXPIRED, valid_from=VALID_FROM - timedelta(days=365), valid_until=VALID_FROM
        )
        newer_revoked = cert(2, REVOKED)
        decision = decide_eligibility([old_expired, newer_revoked], [], OPENS)
        assert decision == SubmissionDecision(RequestKind.RENEWAL, 1)

    def test_renews_the_active_certificate_not_an_older_expired_one(self) -> None:
        old_expired = cert(
            1, EXPIRED, valid_from=VALID_FROM - timedelta(days=365), valid_until=VALID_FROM
        )
        active = cert(2, ACTIVE)
        assert decide_eligibility([old_expired, active], [], OPENS) == SubmissionDecision(
            RequestKind.RENEWAL, 2
        )


class TestRenewalOffered:
    @pytest.mark.parametrize(
        ("status", "replaced_by_id", "now", "expected"),
        [
            (ACTIVE, None, OPENS, True),
            (EXPIRED, None, VALID_UNTIL + timedelta(days=40), True),  # stays renewable
            (INACTIVE, None, OPENS, True),
            (ACTIVE, None, OPENS - timedelta(seconds=1), False),  # window not open yet
            (REVOKED, None, OPENS, False),  # can never sign again
            (ACTIVE, 7, OPENS, False),  # already renewed
        ],
    )
    def test_in_its_window_neither_revoked_nor_renewed(
        self,
        status: CertificateStatus,
        replaced_by_id: int | None,
        now: datetime,
        expected: bool,
    ) -> None:
        assert renewal_offered(status, replaced_by_id, VALID_UNTIL, now) is expected
