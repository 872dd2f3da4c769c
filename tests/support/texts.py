"""What people read when a state change is refused, written in the tests from DOMAIN.md's labels
and verbs: an oracle of its own for the state-machine tests, never the production tables."""

from domain.enums import CertificateStatus, RequestStatus
from domain.request_lifecycle import RequestAction

REQUEST_LABELS = {
    RequestStatus.IN_REVIEW: "En trámite",
    RequestStatus.REJECTED: "Rechazado",
    RequestStatus.COMPLETED: "Completado",
    RequestStatus.WITHDRAWN: "Desistida",
}
REQUEST_VERBS = {
    RequestAction.SUBMIT: "enviar como una solicitud nueva",
    RequestAction.REJECT: "rechazar",
    RequestAction.RESUBMIT: "volver a enviar",
    RequestAction.APPROVE: "aprobar",
    RequestAction.WITHDRAW: "desistir de ella",
}
CERTIFICATE_LABELS = {
    CertificateStatus.ISSUED: "Emitido",
    CertificateStatus.ACTIVE: "Activo",
    CertificateStatus.INACTIVE: "Inactivo",
    CertificateStatus.REVOKED: "Revocado",
    CertificateStatus.EXPIRED: "Vencido",
}
CERTIFICATE_VERBS = {
    CertificateStatus.ISSUED: "marcar como emitido",
    CertificateStatus.ACTIVE: "activar",
    CertificateStatus.INACTIVE: "inactivar",
    CertificateStatus.REVOKED: "revocar",
    CertificateStatus.EXPIRED: "marcar como vencido",
}


def request_refusal(current: RequestStatus | None, action: RequestAction) -> str:
    """Why `action` is refused on a request in `current` (None: not sent yet)."""
    verb = REQUEST_VERBS[action]
    if current is None:
        return f"La solicitud todavía no se ha enviado, así que no se puede {verb}."
    return f"La solicitud está en estado «{REQUEST_LABELS[current]}» y no se puede {verb}."


def certificate_refusal(current: CertificateStatus, target: CertificateStatus) -> str:
    """Why a company may not move a certificate in `current` (neither expired by the clock nor
    waiting for its start) to `target`."""
    label = CERTIFICATE_LABELS[current]
    if target is current:
        return f"El certificado ya está en estado «{label}»."
    return f"El certificado está en estado «{label}» y no se puede {CERTIFICATE_VERBS[target]}."
