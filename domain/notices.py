"""The notices at the top of the tracking screen, decided from the request and the certificate.

The front end shows them as they come: first what happened to the latest request, then where
the certificate stands. A notice that "redirects to tracking" tells the front end not to let
the user start a new request (one is in progress, or the certificate is still in its first
months), but to send them to "Haz seguimiento al trámite" instead.
"""

from dataclasses import dataclass
from datetime import datetime

from domain.calendar import format_date_es, local_date
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus, NoticeCode, RequestStatus
from domain.renewal import renewable_from


@dataclass(frozen=True)
class Notice:
    code: NoticeCode
    message: str
    redirect_to_tracking: bool


_LIVE_STATUSES = frozenset({CertificateStatus.ACTIVE, CertificateStatus.INACTIVE})


def _request_notice(status: RequestStatus | None) -> Notice | None:
    if status == RequestStatus.COMPLETED:
        return Notice(
            NoticeCode.REQUEST_APPROVED,
            "Andes aprobó tu solicitud de certificado digital. Ya puedes firmar tus facturas "
            "electrónicas con validación previa.",
            redirect_to_tracking=False,
        )
    if status == RequestStatus.IN_REVIEW:
        return Notice(
            NoticeCode.REQUEST_IN_REVIEW,
            "Tu solicitud de certificado digital está en trámite: Andes está revisando tus "
            "documentos. Haz seguimiento al trámite.",
            redirect_to_tracking=True,
        )
    if status == RequestStatus.REJECTED:
        return Notice(
            NoticeCode.REQUEST_REJECTED,
            "Andes rechazó tu solicitud de certificado digital. Revisa las observaciones, "
            "reemplaza los documentos marcados y envía la solicitud de nuevo.",
            redirect_to_tracking=True,
        )
    return None


def _certificate_notice(
    certificate: CertificateSnapshot, request_in_review: bool, now: datetime
) -> Notice | None:
    status = certificate.status
    if status == CertificateStatus.REVOKED:
        return None
    expires_on = format_date_es(local_date(certificate.valid_until))
    opens_at = renewable_from(certificate.valid_until)
    past_expiry = status == CertificateStatus.EXPIRED or (
        status in _LIVE_STATUSES and now >= certificate.valid_until
    )
    if past_expiry:
        if request_in_review:
            return None
        return Notice(
            NoticeCode.CERTIFICATE_EXPIRED,
            f"Tu certificado digital venció el {expires_on}. Solicita su renovación para "
            "volver a tener un certificado digital propio.",
            redirect_to_tracking=False,
        )
    if status == CertificateStatus.ACTIVE and now < opens_at:
        return Notice(
            NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
            f"Tu certificado digital está activo hasta el {expires_on}. Podrás renovarlo "
            f"desde el {format_date_es(local_date(opens_at))}. Haz seguimiento al trámite.",
            redirect_to_tracking=True,
        )
    if status in _LIVE_STATUSES and now >= opens_at:
        if request_in_review:
            return None
        return Notice(
            NoticeCode.CERTIFICATE_RENEWAL_OPEN,
            f"Tu certificado digital vence el {expires_on}. Ya puedes solicitar su renovación.",
            redirect_to_tracking=False,
        )
    return None


def tracking_notices(
    latest_request_status: RequestStatus | None,
    certificate: CertificateSnapshot | None,
    now: datetime,
) -> list[Notice]:
    """The notices to show, request first, then certificate (the company's current one)."""
    notices: list[Notice] = []
    request_notice = _request_notice(latest_request_status)
    if request_notice is not None:
        notices.append(request_notice)
    if certificate is not None:
        request_in_review = latest_request_status == RequestStatus.IN_REVIEW
        certificate_notice = _certificate_notice(certificate, request_in_review, now)
        if certificate_notice is not None:
            notices.append(certificate_notice)
    return notices
