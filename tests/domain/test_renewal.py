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
from tests.support.refusals import assert_refusal, refusal

ISSUED = CertificateStatus.ISSUED
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
    superseded_at: datetime | None = None,
) -> CertificateSnapshot:
    return CertificateSnapshot(cert_id, status, valid_from, valid_until, superseded_at)


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
REJECTED_REQUEST = OpenRequest(12, RequestStatus.REJECTED)
NEW = SubmissionDecision(RequestKind.NEW, None)


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

    def test_else_the_one_issued_to_start_later(self) -> None:
        issued = cert(2, ISSUED, valid_from=NOW + timedelta(days=5))
        inactive = cert(1, INACTIVE)
        expired = cert(3, EXPIRED, valid_from=NOW + timedelta(days=1))
        assert current_certificate([inactive, issued, expired], NOW) == issued

    def test_the_latest_of_two_issued_ones(self) -> None:
        sooner = cert(2, ISSUED, valid_from=NOW + timedelta(days=5))
        later = cert(3, ISSUED, valid_from=NOW + timedelta(days=9))
        assert current_certificate([later, sooner], NOW) == later

    def test_an_inactive_one_the_company_may_reactivate_beats_a_newer_final_one(self) -> None:
        inactive = cert(1, INACTIVE)
        revoked = cert(2, REVOKED, valid_from=VALID_FROM + timedelta(days=1))
        assert current_certificate([revoked, inactive], NOW) == inactive

    def test_a_replaced_inactive_one_does_not_hide_the_newer_revoked_renewal(self) -> None:
        start = VALID_FROM + timedelta(days=1)
        replaced = cert(1, INACTIVE, superseded_at=start)
        renewal = cert(2, REVOKED, valid_from=start)
        assert current_certificate([replaced, renewal], NOW) == renewal


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
        assert_refusal(
            refusal(decide_eligibility, [cert(1, INACTIVE)], [], VALID_FROM + timedelta(days=10)),
            code=ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET,
            message="Tu certificado está inactivo, pero vigente hasta el 15/03/2027. Puedes "
            "volver a activarlo, y podrás renovarlo desde el 15/02/2027.",
        )

    def test_a_certificate_issued_to_start_later_is_not_renewable_yet(self) -> None:
        starts = datetime(2026, 4, 1, tzinfo=BOGOTA)
        issued = cert(1, ISSUED, valid_from=starts, valid_until=datetime(2027, 4, 1, tzinfo=BOGOTA))
        assert_refusal(
            refusal(decide_eligibility, [issued], [], starts - timedelta(days=1)),
            code=ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET,
            message="Ya tienes un certificado emitido que empieza a regir el 01/04/2026 y vence "
            "el 01/04/2027. Podrás renovarlo desde el 01/03/2027.",
        )

    def test_a_rejected_request_must_be_corrected_or_withdrawn_first(self) -> None:
        assert_refusal(
            refusal(decide_eligibility, [cert(1, ACTIVE)], [REJECTED_REQUEST], OPENS),
            code=ErrorCode.REQUEST_AWAITING_CORRECTION,
            message="Tu solicitud número 12 fue rechazada y está pendiente de corrección. "
            "Corrígela y vuelve a enviarla, o desiste de ella, antes de enviar una solicitud "
            "nueva.",
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


class TestResubmissionAndApproval:
    """Resubmission and approval run the same decision for a request that exists: it does not
    block itself, and it is refused when the company's situation no longer leads to what it was
    submitted as (DOMAIN.md: no path issues a second certificate)."""

    RENEWAL_OF_4 = SubmissionDecision(RequestKind.RENEWAL, 4)

    @pytest.mark.parametrize("status", [RequestStatus.IN_REVIEW, RequestStatus.REJECTED])
    def test_the_request_itself_does_not_count_as_another_open_one(
        self, status: RequestStatus
    ) -> None:
        own = OpenRequest(12, status)
        assert decide_eligibility([], [own], OPENS, request_id=12, requested=NEW) == NEW
        assert (
            decide_eligibility(
                [cert(4, ACTIVE)], [own], OPENS, request_id=12, requested=self.RENEWAL_OF_4
            )
            == self.RENEWAL_OF_4
        )

    def test_another_open_request_still_blocks_it(self) -> None:
        own = OpenRequest(12, RequestStatus.IN_REVIEW)
        other = OpenRequest(13, RequestStatus.REJECTED)
        assert_refusal(
            refusal(decide_eligibility, [], [own, other], OPENS, request_id=12, requested=NEW),
            code=ErrorCode.REQUEST_AWAITING_CORRECTION,
            message="Tu solicitud número 13 fue rechazada y está pendiente de corrección. "
            "Corrígela y vuelve a enviarla, o desiste de ella, antes de enviar una solicitud "
            "nueva.",
        )

    @pytest.mark.parametrize(
        "certificates",
        [
            [cert(4, REVOKED)],  # revoked meanwhile
            # another renewal of it was approved (it supersedes 4), then revoked
            [
                cert(4, ACTIVE, superseded_at=VALID_UNTIL),
                cert(
                    5,
                    REVOKED,
                    valid_from=VALID_UNTIL,
                    valid_until=VALID_UNTIL + timedelta(days=365),
                ),
            ],
        ],
    )
    def test_a_renewal_whose_certificate_is_no_longer_the_one_to_renew_is_not_eligible(
        self, certificates: list[CertificateSnapshot]
    ) -> None:
        assert_refusal(
            refusal(
                decide_eligibility,
                certificates,
                [],
                OPENS,
                request_id=12,
                requested=self.RENEWAL_OF_4,
            ),
            code=ErrorCode.REQUEST_NOT_ELIGIBLE,
            message="El certificado que esta solicitud renueva ya no se puede renovar: fue "
            "revocado o ya tiene una renovación. Esta solicitud no puede dar lugar a un "
            "certificado; la empresa debe desistir de ella y enviar una solicitud nueva.",
        )

    def test_a_new_request_when_the_company_has_a_certificate_meanwhile_is_not_eligible(
        self,
    ) -> None:
        assert_refusal(
            refusal(decide_eligibility, [cert(4, ACTIVE)], [], OPENS, request_id=12, requested=NEW),
            code=ErrorCode.REQUEST_NOT_ELIGIBLE,
            message="La empresa ya tiene un certificado, así que esta solicitud de un "
            "certificado nuevo no puede dar lugar a otro; la empresa debe desistir de ella y, "
            "cuando corresponda, solicitar la renovación.",
        )

    def test_a_certificate_a_renewal_replaces_is_not_renewed_again(self) -> None:
        """The renewal was approved (the old one is superseded) and then revoked: a request now
        is a new certificate, not a second renewal of the old one."""
        start = VALID_UNTIL - timedelta(days=2)
        old = cert(1, ACTIVE, superseded_at=start)
        renewal = cert(2, REVOKED, valid_from=start, valid_until=start + timedelta(days=365))
        assert decide_eligibility([old, renewal], [], OPENS) == NEW


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
