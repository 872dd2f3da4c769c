"""The certificate's states and who may move it between them.

The company may set its certificate aside (Inactivo), take it back (Activo) or revoke it for
good (Revocado, with a reason). The system, not a person, marks it Vencido when its validity
ends, and sets the old one aside when a renewal is approved. A certificate past its expiry
instant is treated as expired even before the job has marked it, so nobody can reactivate a
certificate that can no longer sign. A company has at most one active certificate.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from domain.calendar import format_date_es, local_date
from domain.enums import CertificateStatus, ErrorCode
from domain.errors import DomainError

ISSUER = "Andes SCD"
"""The certification authority partner that issues the certificates."""

REASON_MAX_LENGTH = 500

CERTIFICATE_STATUS_LABELS: Mapping[CertificateStatus, str] = MappingProxyType(
    {
        CertificateStatus.ACTIVE: "Activo",
        CertificateStatus.INACTIVE: "Inactivo",
        CertificateStatus.REVOKED: "Revocado",
        CertificateStatus.EXPIRED: "Vencido",
    }
)

COMPANY_STATE_CHANGES: Mapping[CertificateStatus, frozenset[CertificateStatus]] = MappingProxyType(
    {
        CertificateStatus.ACTIVE: frozenset(
            {CertificateStatus.INACTIVE, CertificateStatus.REVOKED}
        ),
        CertificateStatus.INACTIVE: frozenset(
            {CertificateStatus.ACTIVE, CertificateStatus.REVOKED}
        ),
        CertificateStatus.REVOKED: frozenset(),
        CertificateStatus.EXPIRED: frozenset(),
    }
)
"""The edit action of the company: from each status, the statuses it may choose."""


class SystemTransition(StrEnum):
    """State changes made by the service itself, never chosen by a person."""

    EXPIRE = "EXPIRE"
    """The validity ended: the certificate becomes Vencido."""
    SUPERSEDE = "SUPERSEDE"
    """A renewal was approved: the new certificate is Activo, the old one becomes Inactivo."""


SYSTEM_TRANSITIONS: Mapping[
    SystemTransition, tuple[frozenset[CertificateStatus], CertificateStatus]
] = MappingProxyType(
    {
        SystemTransition.EXPIRE: (
            frozenset({CertificateStatus.ACTIVE, CertificateStatus.INACTIVE}),
            CertificateStatus.EXPIRED,
        ),
        SystemTransition.SUPERSEDE: (
            frozenset({CertificateStatus.ACTIVE}),
            CertificateStatus.INACTIVE,
        ),
    }
)
"""For each system transition: the statuses it applies to, and the status it leads to."""

_TARGET_VERBS: Mapping[CertificateStatus, str] = MappingProxyType(
    {
        CertificateStatus.ACTIVE: "activar",
        CertificateStatus.INACTIVE: "inactivar",
        CertificateStatus.REVOKED: "revocar",
        CertificateStatus.EXPIRED: "marcar como vencido",
    }
)


@dataclass(frozen=True)
class CertificateSnapshot:
    """What the rules need to know about a certificate."""

    id: int
    status: CertificateStatus
    valid_from: datetime
    valid_until: datetime


def certificate_status_label(status: CertificateStatus) -> str:
    """The status as people read it: Activo, Inactivo, Revocado or Vencido."""
    return CERTIFICATE_STATUS_LABELS[status]


def _is_past_expiry(valid_until: datetime, now: datetime) -> bool:
    return now >= valid_until


def allowed_state_changes(
    status: CertificateStatus, valid_until: datetime, now: datetime
) -> list[CertificateStatus]:
    """The statuses the company may choose now, in the enum's order; none once it expired."""
    if _is_past_expiry(valid_until, now):
        return []
    allowed = COMPANY_STATE_CHANGES[status]
    return [candidate for candidate in CertificateStatus if candidate in allowed]


def ensure_state_change(
    status: CertificateStatus,
    target: CertificateStatus,
    valid_until: datetime,
    now: datetime,
    reason: str | None,
    company_has_other_active: bool,
) -> str | None:
    """Check the company's edit action; return the reason, stripped, or None when blank."""
    verb = _TARGET_VERBS[target]
    if target == status:
        raise DomainError(
            ErrorCode.INVALID_STATE_TRANSITION,
            f"El certificado ya está en estado «{certificate_status_label(status)}».",
        )
    if target not in COMPANY_STATE_CHANGES[status]:
        raise DomainError(
            ErrorCode.INVALID_STATE_TRANSITION,
            f"El certificado está en estado «{certificate_status_label(status)}» "
            f"y no se puede {verb}.",
        )
    if _is_past_expiry(valid_until, now):
        expired_on = format_date_es(local_date(valid_until))
        raise DomainError(
            ErrorCode.INVALID_STATE_TRANSITION,
            f"El certificado venció el {expired_on} y ya no se puede {verb}.",
        )
    cleaned = reason.strip() if reason is not None else ""
    if target == CertificateStatus.REVOKED and not cleaned:
        raise DomainError(ErrorCode.INVALID_INPUT, "Indica el motivo de la revocación.", "reason")
    if len(cleaned) > REASON_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"El motivo no puede tener más de {REASON_MAX_LENGTH} caracteres.",
            "reason",
        )
    if target == CertificateStatus.ACTIVE and company_has_other_active:
        raise DomainError(
            ErrorCode.INVALID_STATE_TRANSITION, "La empresa ya tiene un certificado activo."
        )
    return cleaned or None


def can_expire(status: CertificateStatus, valid_until: datetime, now: datetime) -> bool:
    """Whether the expiry job should mark the certificate Vencido now."""
    sources, _ = SYSTEM_TRANSITIONS[SystemTransition.EXPIRE]
    return status in sources and _is_past_expiry(valid_until, now)


def can_supersede(status: CertificateStatus) -> bool:
    """Whether an approved renewal sets this certificate aside (only an active one)."""
    sources, _ = SYSTEM_TRANSITIONS[SystemTransition.SUPERSEDE]
    return status in sources
