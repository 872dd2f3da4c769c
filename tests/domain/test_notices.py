"""The notices at the top of the tracking screen: one rule table, derived from the state now.

One test per notice of issue 13 (approved-and-usable, approved-starting-on-date, inactive,
revoked, expired, renewal open, request in review, awaiting correction), and the contradictions
the issue found (the approved notice beside an inactive, revoked or expired certificate; an
inactive certificate with no notice; a revoked certificate hiding a reactivatable one).
"""

from datetime import datetime, timedelta

import pytest

from domain.calendar import BOGOTA
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus, NoticeCode, RequestStatus
from domain.notices import Notice, NoticeState, OpenRequestView, tracking_notices
from domain.renewal import current_certificate

ISSUED = CertificateStatus.ISSUED
ACTIVE = CertificateStatus.ACTIVE
INACTIVE = CertificateStatus.INACTIVE
REVOKED = CertificateStatus.REVOKED
EXPIRED = CertificateStatus.EXPIRED

VALID_FROM = datetime(2026, 3, 15, tzinfo=BOGOTA)
VALID_UNTIL = datetime(2027, 3, 15, tzinfo=BOGOTA)
EARLY = datetime(2026, 6, 1, 10, tzinfo=BOGOTA)
IN_WINDOW = datetime(2027, 3, 1, 10, tzinfo=BOGOTA)
AFTER = datetime(2027, 4, 1, 10, tzinfo=BOGOTA)


def cert(
    status: CertificateStatus,
    *,
    cert_id: int = 1,
    valid_from: datetime = VALID_FROM,
    valid_until: datetime = VALID_UNTIL,
    superseded_at: datetime | None = None,
    reason: str | None = None,
) -> CertificateSnapshot:
    return CertificateSnapshot(
        cert_id,
        status,
        valid_from,
        valid_until,
        superseded_at=superseded_at,
        revocation_reason=reason,
    )


def notices(
    now: datetime,
    certificate: CertificateSnapshot | None = None,
    *,
    approved: CertificateSnapshot | None = None,
    open_request: OpenRequestView | None = None,
) -> list[Notice]:
    return tracking_notices(
        NoticeState(
            now=now,
            open_request=open_request,
            approved_certificate=approved,
            certificate=certificate,
        )
    )


def codes(found: list[Notice]) -> list[NoticeCode]:
    return [n.code for n in found]


def only(found: list[Notice], code: NoticeCode) -> Notice:
    [notice] = [n for n in found if n.code == code]
    return notice


def test_nothing_to_say_for_a_company_that_never_asked() -> None:
    assert notices(EARLY) == []
    assert NoticeState(now=EARLY).certificate_status() is None


def test_request_in_review_sends_to_tracking() -> None:
    found = notices(EARLY, open_request=OpenRequestView(7, RequestStatus.IN_REVIEW))
    assert found == [
        Notice(
            NoticeCode.REQUEST_IN_REVIEW,
            "Tu solicitud de certificado digital está en trámite: Andes está revisando tus "
            "documentos. Haz seguimiento al trámite.",
            redirect_to_tracking=True,
        )
    ]


def test_awaiting_correction_names_the_request_quotes_the_observations_and_offers_both_ways() -> (
    None
):
    found = notices(
        EARLY, open_request=OpenRequestView(7, RequestStatus.REJECTED, "El RUT está vencido.")
    )
    assert found == [
        Notice(
            NoticeCode.REQUEST_REJECTED,
            "Andes rechazó tu solicitud de certificado digital número 7. Observaciones: «El RUT "
            "está vencido». Corrige lo indicado, reemplaza los documentos marcados y vuelve a "
            "enviarla, o desiste de ella para enviar una nueva.",
            redirect_to_tracking=True,
        )
    ]


@pytest.mark.parametrize("observations", [None, "", " \n ", "."])
def test_awaiting_correction_without_observations_quotes_nothing(observations: str | None) -> None:
    found = notices(EARLY, open_request=OpenRequestView(7, RequestStatus.REJECTED, observations))
    assert found == [
        Notice(
            NoticeCode.REQUEST_REJECTED,
            "Andes rechazó tu solicitud de certificado digital número 7. Corrige lo indicado, "
            "reemplaza los documentos marcados y vuelve a enviarla, o desiste de ella para "
            "enviar una nueva.",
            redirect_to_tracking=True,
        )
    ]


def test_awaiting_correction_quotes_the_observations_trimmed() -> None:
    found = notices(
        EARLY, open_request=OpenRequestView(8, RequestStatus.REJECTED, "\n Falta la firma.  ")
    )
    assert [n.message for n in found] == [
        "Andes rechazó tu solicitud de certificado digital número 8. Observaciones: «Falta la "
        "firma». Corrige lo indicado, reemplaza los documentos marcados y vuelve a enviarla, o "
        "desiste de ella para enviar una nueva."
    ]


def test_approved_and_usable() -> None:
    issued = cert(ACTIVE)
    found = notices(EARLY, issued, approved=issued)
    assert only(found, NoticeCode.REQUEST_APPROVED) == Notice(
        NoticeCode.REQUEST_APPROVED,
        "Andes aprobó tu solicitud de certificado digital. Ya puedes firmar tus facturas "
        "electrónicas con validación previa; tu certificado es válido hasta el 15/03/2027.",
        redirect_to_tracking=False,
    )
    assert codes(found) == [NoticeCode.REQUEST_APPROVED, NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET]


def test_approved_starting_on_a_later_date_says_from_when_and_does_not_say_sign_now() -> None:
    later = cert(ISSUED, valid_from=datetime(2026, 6, 10, tzinfo=BOGOTA))
    found = notices(EARLY, later, approved=later)
    assert found == [
        Notice(
            NoticeCode.CERTIFICATE_ISSUED,
            "Andes aprobó tu solicitud de certificado digital. Podrás firmar con tu nuevo "
            "certificado desde el 10/06/2026; hasta entonces sigue usando el certificado con el "
            "que firmas hoy.",
            redirect_to_tracking=True,
        )
    ]


def test_the_issued_certificate_turns_approved_and_usable_at_its_start_without_a_write() -> None:
    start = datetime(2026, 6, 10, tzinfo=BOGOTA)
    later = cert(ISSUED, valid_from=start)
    assert codes(notices(start - timedelta(seconds=1), later, approved=later))[0] is (
        NoticeCode.CERTIFICATE_ISSUED
    )
    assert codes(notices(start, later, approved=later))[0] is NoticeCode.REQUEST_APPROVED


@pytest.mark.parametrize("status", [INACTIVE, REVOKED, EXPIRED])
def test_the_approved_notice_goes_once_the_certificate_cannot_sign(
    status: CertificateStatus,
) -> None:
    issued = cert(status, reason="Clave comprometida")
    assert NoticeCode.REQUEST_APPROVED not in codes(notices(EARLY, issued, approved=issued))


def test_the_approved_notice_goes_at_expiry_even_before_the_job_marks_it() -> None:
    issued = cert(ACTIVE)
    assert NoticeCode.REQUEST_APPROVED not in codes(notices(AFTER, issued, approved=issued))


def test_inactive_in_its_first_months_says_how_to_reactivate_and_sends_to_tracking() -> None:
    assert notices(EARLY, cert(INACTIVE)) == [
        Notice(
            NoticeCode.CERTIFICATE_INACTIVE,
            "Tu certificado digital está inactivo: no lo estás usando para firmar. Puedes volver "
            "a activarlo con «Cambiar estado» hasta el 15/03/2027.",
            redirect_to_tracking=True,
        )
    ]


def test_inactive_in_its_renewal_window_also_offers_the_renewal() -> None:
    found = notices(IN_WINDOW, cert(INACTIVE))
    assert codes(found) == [NoticeCode.CERTIFICATE_INACTIVE, NoticeCode.CERTIFICATE_RENEWAL_OPEN]
    assert only(found, NoticeCode.CERTIFICATE_INACTIVE).redirect_to_tracking is False


def test_revoked_gives_the_reason_and_what_to_do() -> None:
    assert notices(EARLY, cert(REVOKED, reason="Se perdió el token")) == [
        Notice(
            NoticeCode.CERTIFICATE_REVOKED,
            "Tu certificado digital fue revocado y ya no sirve para firmar. Motivo: «Se perdió "
            "el token». Para volver a tener un certificado digital propio, envía una solicitud "
            "nueva.",
            redirect_to_tracking=False,
        )
    ]


@pytest.mark.parametrize("reason", [None, "", "  ", "."])
def test_revoked_without_a_reason_says_no_reason(reason: str | None) -> None:
    assert notices(EARLY, cert(REVOKED, reason=reason)) == [
        Notice(
            NoticeCode.CERTIFICATE_REVOKED,
            "Tu certificado digital fue revocado y ya no sirve para firmar. Para volver a tener "
            "un certificado digital propio, envía una solicitud nueva.",
            redirect_to_tracking=False,
        )
    ]


def test_revoked_while_a_request_is_in_progress_sends_to_tracking() -> None:
    found = notices(
        EARLY,
        cert(REVOKED, reason="  Se perdió el token. "),
        open_request=OpenRequestView(7, RequestStatus.IN_REVIEW),
    )
    assert codes(found) == [NoticeCode.REQUEST_IN_REVIEW, NoticeCode.CERTIFICATE_REVOKED]
    assert only(found, NoticeCode.CERTIFICATE_REVOKED) == Notice(
        NoticeCode.CERTIFICATE_REVOKED,
        "Tu certificado digital fue revocado y ya no sirve para firmar. Motivo: «Se perdió el "
        "token». Para volver a tener un certificado digital propio, envía una solicitud nueva.",
        redirect_to_tracking=True,
    )


def test_a_replaced_certificate_is_not_offered_for_reactivation_nor_renewal() -> None:
    replaced = cert(ACTIVE, superseded_at=IN_WINDOW - timedelta(days=1))
    assert replaced.effective(IN_WINDOW) is INACTIVE
    assert notices(IN_WINDOW, replaced) == []


def test_a_revoked_certificate_does_not_hide_a_reactivatable_inactive_one() -> None:
    inactive = cert(INACTIVE, cert_id=1)
    revoked = cert(REVOKED, cert_id=2, valid_from=VALID_FROM + timedelta(days=30))
    current = current_certificate([inactive, revoked], EARLY)
    assert current == inactive
    assert codes(notices(EARLY, current)) == [NoticeCode.CERTIFICATE_INACTIVE]


@pytest.mark.parametrize("status", [ACTIVE, INACTIVE, EXPIRED])
def test_expired_from_its_expiry_instant(status: CertificateStatus) -> None:
    assert notices(VALID_UNTIL, cert(status)) == [
        Notice(
            NoticeCode.CERTIFICATE_EXPIRED,
            "Tu certificado digital venció el 15/03/2027. Solicita su renovación para volver a "
            "tener un certificado digital propio.",
            redirect_to_tracking=False,
        )
    ]


def test_active_one_second_before_expiry_is_in_its_renewal_window() -> None:
    found = notices(VALID_UNTIL - timedelta(seconds=1), cert(ACTIVE))
    assert found == [
        Notice(
            NoticeCode.CERTIFICATE_RENEWAL_OPEN,
            "Tu certificado digital vence el 15/03/2027. Ya puedes solicitar su renovación.",
            redirect_to_tracking=False,
        )
    ]


def test_active_in_its_first_months_sends_to_tracking() -> None:
    assert notices(EARLY, cert(ACTIVE)) == [
        Notice(
            NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
            "Tu certificado digital está activo hasta el 15/03/2027. Podrás renovarlo desde el "
            "15/02/2027. Haz seguimiento al trámite.",
            redirect_to_tracking=True,
        )
    ]


@pytest.mark.parametrize("status", [RequestStatus.IN_REVIEW, RequestStatus.REJECTED])
def test_an_open_request_silences_the_renewal_and_expiry_invitations(status: RequestStatus) -> None:
    open_request = OpenRequestView(9, status)
    assert codes(notices(IN_WINDOW, cert(ACTIVE), open_request=open_request)) == [
        NoticeCode.REQUEST_IN_REVIEW
        if status is RequestStatus.IN_REVIEW
        else NoticeCode.REQUEST_REJECTED
    ]
    assert NoticeCode.CERTIFICATE_EXPIRED not in codes(
        notices(AFTER, cert(EXPIRED), open_request=open_request)
    )


def test_a_renewed_certificate_does_not_invite_to_renew_it_again() -> None:
    old = cert(ACTIVE, superseded_at=VALID_UNTIL - timedelta(days=2))
    renewal = cert(ISSUED, cert_id=2, valid_from=VALID_UNTIL - timedelta(days=2))
    found = notices(IN_WINDOW, old, approved=renewal)
    assert codes(found) == [NoticeCode.CERTIFICATE_ISSUED]


def test_at_the_renewals_start_the_new_one_is_current_and_the_old_one_is_set_aside() -> None:
    start = VALID_UNTIL - timedelta(days=2)
    old = cert(ACTIVE, superseded_at=start)
    renewal = cert(ISSUED, cert_id=2, valid_from=start, valid_until=start + timedelta(days=365))
    current = current_certificate([old, renewal], start)
    assert current == renewal
    assert old.effective(start) is INACTIVE
    assert codes(notices(start, current, approved=renewal)) == [
        NoticeCode.REQUEST_APPROVED,
        NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
    ]
