"""The notices at the top of the tracking screen, one situation at a time."""

from datetime import datetime, timedelta

import pytest

from domain.calendar import BOGOTA
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus, NoticeCode, RequestStatus
from domain.notices import Notice, tracking_notices

ACTIVE = CertificateStatus.ACTIVE
INACTIVE = CertificateStatus.INACTIVE
REVOKED = CertificateStatus.REVOKED
EXPIRED = CertificateStatus.EXPIRED

VALID_FROM = datetime(2026, 3, 15, tzinfo=BOGOTA)
VALID_UNTIL = datetime(2027, 3, 15, tzinfo=BOGOTA)
OPENS = datetime(2027, 2, 15, tzinfo=BOGOTA)
EARLY = datetime(2026, 6, 1, 10, tzinfo=BOGOTA)
IN_WINDOW = datetime(2027, 3, 1, 10, tzinfo=BOGOTA)
AFTER = datetime(2027, 4, 1, 10, tzinfo=BOGOTA)


def cert(status: CertificateStatus) -> CertificateSnapshot:
    return CertificateSnapshot(1, status, VALID_FROM, VALID_UNTIL)


def codes(notices: list[Notice]) -> list[NoticeCode]:
    return [n.code for n in notices]


def only(notices: list[Notice], code: NoticeCode) -> Notice:
    [notice] = [n for n in notices if n.code == code]
    return notice


def test_nothing_to_say_for_a_company_that_never_asked() -> None:
    assert tracking_notices(None, None, EARLY) == []


class TestRequestNotices:
    def test_approved(self) -> None:
        [notice] = tracking_notices(RequestStatus.COMPLETED, None, EARLY)
        assert notice == Notice(
            NoticeCode.REQUEST_APPROVED,
            "Andes aprobó tu solicitud de certificado digital. Ya puedes firmar tus facturas "
            "electrónicas con validación previa.",
            redirect_to_tracking=False,
        )

    def test_in_review_sends_to_tracking(self) -> None:
        [notice] = tracking_notices(RequestStatus.IN_REVIEW, None, EARLY)
        assert notice == Notice(
            NoticeCode.REQUEST_IN_REVIEW,
            "Tu solicitud de certificado digital está en trámite: Andes está revisando tus "
            "documentos. Haz seguimiento al trámite.",
            redirect_to_tracking=True,
        )

    def test_rejected_asks_to_correct_and_resubmit(self) -> None:
        [notice] = tracking_notices(RequestStatus.REJECTED, None, EARLY)
        assert notice == Notice(
            NoticeCode.REQUEST_REJECTED,
            "Andes rechazó tu solicitud de certificado digital. Revisa las observaciones, "
            "reemplaza los documentos marcados y envía la solicitud de nuevo.",
            redirect_to_tracking=True,
        )


class TestCertificateNotices:
    def test_just_approved_first_months_request_notice_comes_first(self) -> None:
        notices = tracking_notices(RequestStatus.COMPLETED, cert(ACTIVE), EARLY)
        assert codes(notices) == [
            NoticeCode.REQUEST_APPROVED,
            NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
        ]

    def test_not_renewable_yet_sends_to_tracking_with_both_dates(self) -> None:
        [notice] = tracking_notices(None, cert(ACTIVE), EARLY)
        assert notice == Notice(
            NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
            "Tu certificado digital está activo hasta el 15/03/2027. Podrás renovarlo desde el "
            "15/02/2027. Haz seguimiento al trámite.",
            redirect_to_tracking=True,
        )

    def test_one_second_before_the_window(self) -> None:
        notices = tracking_notices(None, cert(ACTIVE), OPENS - timedelta(seconds=1))
        assert codes(notices) == [NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET]

    @pytest.mark.parametrize("now", [OPENS, IN_WINDOW, VALID_UNTIL - timedelta(seconds=1)])
    @pytest.mark.parametrize("status", [ACTIVE, INACTIVE])
    def test_renewal_open(self, status: CertificateStatus, now: datetime) -> None:
        [notice] = tracking_notices(None, cert(status), now)
        assert notice == Notice(
            NoticeCode.CERTIFICATE_RENEWAL_OPEN,
            "Tu certificado digital vence el 15/03/2027. Ya puedes solicitar su renovación.",
            redirect_to_tracking=False,
        )

    def test_renewal_open_after_a_completed_request(self) -> None:
        notices = tracking_notices(RequestStatus.COMPLETED, cert(ACTIVE), IN_WINDOW)
        assert codes(notices) == [
            NoticeCode.REQUEST_APPROVED,
            NoticeCode.CERTIFICATE_RENEWAL_OPEN,
        ]

    def test_renewal_open_is_hidden_while_a_renewal_is_in_review(self) -> None:
        notices = tracking_notices(RequestStatus.IN_REVIEW, cert(ACTIVE), IN_WINDOW)
        assert codes(notices) == [NoticeCode.REQUEST_IN_REVIEW]

    def test_inactive_before_the_window_says_nothing(self) -> None:
        assert tracking_notices(None, cert(INACTIVE), EARLY) == []

    @pytest.mark.parametrize(
        ("status", "now"),
        [
            (EXPIRED, AFTER),
            (EXPIRED, IN_WINDOW),  # marked expired: the status decides
            (ACTIVE, VALID_UNTIL),  # past its expiry, not yet marked by the job
            (ACTIVE, AFTER),
            (INACTIVE, AFTER),
        ],
    )
    def test_expired(self, status: CertificateStatus, now: datetime) -> None:
        [notice] = tracking_notices(None, cert(status), now)
        assert notice == Notice(
            NoticeCode.CERTIFICATE_EXPIRED,
            "Tu certificado digital venció el 15/03/2027. Solicita su renovación para volver a "
            "tener un certificado digital propio.",
            redirect_to_tracking=False,
        )

    def test_expired_is_hidden_while_a_renewal_is_in_review(self) -> None:
        notices = tracking_notices(RequestStatus.IN_REVIEW, cert(EXPIRED), AFTER)
        assert codes(notices) == [NoticeCode.REQUEST_IN_REVIEW]

    def test_expired_still_shown_after_a_rejection(self) -> None:
        notices = tracking_notices(RequestStatus.REJECTED, cert(EXPIRED), AFTER)
        assert codes(notices) == [NoticeCode.REQUEST_REJECTED, NoticeCode.CERTIFICATE_EXPIRED]

    @pytest.mark.parametrize("now", [EARLY, IN_WINDOW, AFTER])
    def test_revoked_says_nothing(self, now: datetime) -> None:
        assert tracking_notices(None, cert(REVOKED), now) == []

    def test_not_renewable_yet_is_shown_even_while_a_request_is_in_review(self) -> None:
        notices = tracking_notices(RequestStatus.IN_REVIEW, cert(ACTIVE), EARLY)
        assert codes(notices) == [
            NoticeCode.REQUEST_IN_REVIEW,
            NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
        ]

    def test_dates_are_shown_in_bogota(self) -> None:
        # Expires at 23:30 on 14/03 in Bogotá, which is already 15/03 in UTC.
        until = datetime(2027, 3, 14, 23, 30, tzinfo=BOGOTA)
        certificate = CertificateSnapshot(1, ACTIVE, VALID_FROM, until)
        notice = only(
            tracking_notices(None, certificate, EARLY), NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET
        )
        assert "activo hasta el 14/03/2027" in notice.message
        assert "desde el 14/02/2027" in notice.message
