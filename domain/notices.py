"""The notices at the top of the tracking screen, derived from the current state only.

One table, `NOTICE_RULES`, in the order the front end shows them: first the open request, then
what the partner's latest approval means today, then where the company's current certificate
stands. Each rule looks at the state as it is now (certificate statuses are the effective ones,
moved by the clock), never at history alone, so a notice can never contradict the state.

A notice that "redirects to tracking" tells the front end not to let the user start a new
request (one is open, or the certificate is still in its first months), but to send them to
"Haz seguimiento al trámite" instead.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.calendar import format_date_es, local_date
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus, NoticeCode, RequestStatus
from domain.renewal import is_renewal_open, renewable_from


@dataclass(frozen=True)
class Notice:
    code: NoticeCode
    message: str
    redirect_to_tracking: bool


@dataclass(frozen=True)
class OpenRequestView:
    """The company's open request, as the notices need it."""

    id: int
    status: RequestStatus
    observations: str | None = None


@dataclass(frozen=True)
class NoticeState:
    """Everything the notices are derived from, as it is at `now`."""

    now: datetime
    open_request: OpenRequestView | None = None
    #: The certificate the latest request issued, when the latest request is COMPLETED.
    approved_certificate: CertificateSnapshot | None = None
    #: The company's current certificate (`domain.renewal.current_certificate`).
    certificate: CertificateSnapshot | None = None

    def certificate_status(self) -> CertificateStatus | None:
        return self.certificate.effective(self.now) if self.certificate else None


def _date(at: datetime) -> str:
    return format_date_es(local_date(at))


def _in_review(state: NoticeState) -> Notice | None:
    if state.open_request is None or state.open_request.status is not RequestStatus.IN_REVIEW:
        return None
    return Notice(
        NoticeCode.REQUEST_IN_REVIEW,
        "Tu solicitud de certificado digital está en trámite: Andes está revisando tus "
        "documentos. Haz seguimiento al trámite.",
        redirect_to_tracking=True,
    )


def _awaiting_correction(state: NoticeState) -> Notice | None:
    request = state.open_request
    if request is None or request.status is not RequestStatus.REJECTED:
        return None
    observations = (request.observations or "").strip().removesuffix(".")
    said = f" Observaciones: «{observations}»." if observations else ""
    return Notice(
        NoticeCode.REQUEST_REJECTED,
        f"Andes rechazó tu solicitud de certificado digital número {request.id}.{said} "
        "Corrige lo indicado, reemplaza los documentos marcados y vuelve a enviarla, o desiste "
        "de ella para enviar una nueva.",
        redirect_to_tracking=True,
    )


def _approved(state: NoticeState) -> Notice | None:
    issued = state.approved_certificate
    if issued is None:
        return None
    status = issued.effective(state.now)
    if status is CertificateStatus.ACTIVE:
        return Notice(
            NoticeCode.REQUEST_APPROVED,
            "Andes aprobó tu solicitud de certificado digital. Ya puedes firmar tus facturas "
            f"electrónicas con validación previa; tu certificado es válido hasta el "
            f"{_date(issued.valid_until)}.",
            redirect_to_tracking=False,
        )
    if status is CertificateStatus.ISSUED:
        return Notice(
            NoticeCode.CERTIFICATE_ISSUED,
            "Andes aprobó tu solicitud de certificado digital. Podrás firmar con tu nuevo "
            f"certificado desde el {_date(issued.valid_from)}; hasta entonces sigue usando el "
            "certificado con el que firmas hoy.",
            redirect_to_tracking=True,
        )
    return None


def _not_renewable_yet(state: NoticeState) -> Notice | None:
    certificate = state.certificate
    if certificate is None or state.certificate_status() is not CertificateStatus.ACTIVE:
        return None
    if is_renewal_open(certificate.valid_until, state.now) or certificate.superseded_at:
        return None
    return Notice(
        NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
        f"Tu certificado digital está activo hasta el {_date(certificate.valid_until)}. Podrás "
        f"renovarlo desde el {_date(renewable_from(certificate.valid_until))}. Haz seguimiento "
        "al trámite.",
        redirect_to_tracking=True,
    )


def _inactive(state: NoticeState) -> Notice | None:
    certificate = state.certificate
    if certificate is None or state.certificate_status() is not CertificateStatus.INACTIVE:
        return None
    if certificate.replaced(state.now):
        return None
    return Notice(
        NoticeCode.CERTIFICATE_INACTIVE,
        "Tu certificado digital está inactivo: no lo estás usando para firmar. Puedes volver a "
        f"activarlo con «Cambiar estado» hasta el {_date(certificate.valid_until)}.",
        redirect_to_tracking=not is_renewal_open(certificate.valid_until, state.now),
    )


def _revoked(state: NoticeState) -> Notice | None:
    certificate = state.certificate
    if certificate is None or state.certificate_status() is not CertificateStatus.REVOKED:
        return None
    reason = (certificate.revocation_reason or "").strip().removesuffix(".")
    said = f" Motivo: «{reason}»." if reason else ""
    return Notice(
        NoticeCode.CERTIFICATE_REVOKED,
        f"Tu certificado digital fue revocado y ya no sirve para firmar.{said} Para volver a "
        "tener un certificado digital propio, envía una solicitud nueva.",
        redirect_to_tracking=state.open_request is not None,
    )


def _expired(state: NoticeState) -> Notice | None:
    certificate = state.certificate
    if certificate is None or state.certificate_status() is not CertificateStatus.EXPIRED:
        return None
    if state.open_request is not None or certificate.superseded_at is not None:
        return None
    return Notice(
        NoticeCode.CERTIFICATE_EXPIRED,
        f"Tu certificado digital venció el {_date(certificate.valid_until)}. Solicita su "
        "renovación para volver a tener un certificado digital propio.",
        redirect_to_tracking=False,
    )


def _renewal_open(state: NoticeState) -> Notice | None:
    certificate = state.certificate
    live = (CertificateStatus.ACTIVE, CertificateStatus.INACTIVE)
    if certificate is None or state.certificate_status() not in live:
        return None
    if state.open_request is not None or certificate.superseded_at is not None:
        return None
    if not is_renewal_open(certificate.valid_until, state.now):
        return None
    return Notice(
        NoticeCode.CERTIFICATE_RENEWAL_OPEN,
        f"Tu certificado digital vence el {_date(certificate.valid_until)}. Ya puedes solicitar "
        "su renovación.",
        redirect_to_tracking=False,
    )


NOTICE_RULES: tuple[Callable[[NoticeState], Notice | None], ...] = (
    _in_review,
    _awaiting_correction,
    _approved,
    _not_renewable_yet,
    _inactive,
    _revoked,
    _expired,
    _renewal_open,
)
"""Each rule returns its notice when the state calls for it; shown in this order."""


def tracking_notices(state: NoticeState) -> list[Notice]:
    """The notices to show now."""
    return [notice for rule in NOTICE_RULES if (notice := rule(state)) is not None]
