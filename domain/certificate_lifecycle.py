"""The certificate's states, the clock's part in them, and the company's edit action.

A certificate is issued (Emitido) and becomes usable (Activo) at its `valid_from`; the company may
set it aside (Inactivo), take it back (Activo) or revoke it for good (Revocado, with a reason);
at its `valid_until` it is Vencido. When a renewal starts, the renewed certificate is set aside
for good: it was replaced, and a replaced certificate can never be made Activo again.

The time-driven states are not waited for: `effective_status` derives them from the clock on
every read, and the scheduled job only persists them (with history, events and emails). The
company's edit action is one table, `COMPANY_STATE_CHANGES`, read both by `allowed_state_changes`
(what the API lists) and by `ensure_state_change` (what the API accepts), so the two never
disagree. A company has at most one active certificate; the database enforces it too.
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
        CertificateStatus.ISSUED: "Emitido",
        CertificateStatus.ACTIVE: "Activo",
        CertificateStatus.INACTIVE: "Inactivo",
        CertificateStatus.REVOKED: "Revocado",
        CertificateStatus.EXPIRED: "Vencido",
    }
)

COMPANY_STATE_CHANGES: Mapping[CertificateStatus, frozenset[CertificateStatus]] = MappingProxyType(
    {
        CertificateStatus.ISSUED: frozenset(),
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
"""The edit action of the company: from each (effective) status, the statuses it may choose.
A replaced certificate loses ACTIVE from its choices (see `allowed_state_changes`)."""


class SystemTransition(StrEnum):
    """State changes made by the service itself, at instants the certificate's dates fix."""

    START = "START"
    """Its validFrom came: an Emitido certificate becomes Activo."""
    SUPERSEDE = "SUPERSEDE"
    """The renewal that replaces it started: the old certificate becomes Inactivo."""
    EXPIRE = "EXPIRE"
    """Its validUntil came: the certificate becomes Vencido."""


SYSTEM_TRANSITIONS: Mapping[
    SystemTransition, tuple[frozenset[CertificateStatus], CertificateStatus]
] = MappingProxyType(
    {
        SystemTransition.START: (frozenset({CertificateStatus.ISSUED}), CertificateStatus.ACTIVE),
        SystemTransition.SUPERSEDE: (
            frozenset({CertificateStatus.ACTIVE}),
            CertificateStatus.INACTIVE,
        ),
        SystemTransition.EXPIRE: (
            frozenset(
                {CertificateStatus.ISSUED, CertificateStatus.ACTIVE, CertificateStatus.INACTIVE}
            ),
            CertificateStatus.EXPIRED,
        ),
    }
)
"""For each system transition: the statuses it applies to, and the status it leads to."""

#: Statuses the clock may still move (the job looks only at these).
TIME_DRIVEN_SOURCES: frozenset[CertificateStatus] = frozenset().union(
    *(sources for sources, _ in SYSTEM_TRANSITIONS.values())
)

_TARGET_VERBS: Mapping[CertificateStatus, str] = MappingProxyType(
    {
        CertificateStatus.ISSUED: "marcar como emitido",
        CertificateStatus.ACTIVE: "activar",
        CertificateStatus.INACTIVE: "inactivar",
        CertificateStatus.REVOKED: "revocar",
        CertificateStatus.EXPIRED: "marcar como vencido",
    }
)


@dataclass(frozen=True)
class CertificateSnapshot:
    """What the rules need to know about a certificate. `status` is the stored one; read
    `effective(now)` for what it is now. `superseded_at` is the validFrom of the renewal that
    replaces it (None when nothing replaces it)."""

    id: int
    status: CertificateStatus
    valid_from: datetime
    valid_until: datetime
    superseded_at: datetime | None = None
    revocation_reason: str | None = None

    def effective(self, now: datetime) -> CertificateStatus:
        return effective_status(
            self.status, self.valid_from, self.valid_until, now, superseded_at=self.superseded_at
        )

    def replaced(self, now: datetime) -> bool:
        return is_replaced(self.superseded_at, now)


def certificate_status_label(status: CertificateStatus) -> str:
    """The status as people read it: Emitido, Activo, Inactivo, Revocado or Vencido."""
    return CERTIFICATE_STATUS_LABELS[status]


def is_replaced(superseded_at: datetime | None, now: datetime) -> bool:
    """Whether the renewal that replaces the certificate has started."""
    return superseded_at is not None and now >= superseded_at


def effective_status(
    stored: CertificateStatus,
    valid_from: datetime,
    valid_until: datetime,
    now: datetime,
    *,
    superseded_at: datetime | None = None,
) -> CertificateStatus:
    """The status at `now`: the stored one, moved by the clock. Revoked and expired are final;
    past validUntil it is expired; once its replacement started, an active one is inactive;
    an issued one is active from validFrom."""
    if stored in (CertificateStatus.REVOKED, CertificateStatus.EXPIRED):
        return stored
    if now >= valid_until:
        return CertificateStatus.EXPIRED
    if stored is CertificateStatus.ACTIVE and is_replaced(superseded_at, now):
        return CertificateStatus.INACTIVE
    if stored is CertificateStatus.ISSUED and now >= valid_from:
        return CertificateStatus.ACTIVE
    return stored


def allowed_state_changes(
    status: CertificateStatus,
    valid_until: datetime,
    now: datetime,
    *,
    valid_from: datetime | None = None,
    superseded_at: datetime | None = None,
) -> list[CertificateStatus]:
    """The statuses the company may choose now, in the enum's order. `status` is the stored
    one; the choice is made from the effective status (without `valid_from`, an issued
    certificate is taken as not started). A replaced certificate cannot be made active again."""
    current = effective_status(
        status, valid_from or valid_until, valid_until, now, superseded_at=superseded_at
    )
    allowed = set(COMPANY_STATE_CHANGES[current])
    if is_replaced(superseded_at, now):
        allowed.discard(CertificateStatus.ACTIVE)
    return [candidate for candidate in CertificateStatus if candidate in allowed]


def ensure_state_change(
    status: CertificateStatus,
    target: CertificateStatus,
    valid_until: datetime,
    now: datetime,
    reason: str | None,
    company_has_other_active: bool,
    *,
    valid_from: datetime | None = None,
    superseded_at: datetime | None = None,
) -> str | None:
    """Check the company's edit action; return the reason, stripped, or None when blank.

    Accepts exactly what `allowed_state_changes` lists; each refusal says why in Spanish."""
    verb = _TARGET_VERBS[target]
    current = effective_status(
        status, valid_from or valid_until, valid_until, now, superseded_at=superseded_at
    )
    label = certificate_status_label(current)
    allowed = allowed_state_changes(
        status, valid_until, now, valid_from=valid_from, superseded_at=superseded_at
    )
    if target not in allowed:
        if target == current:
            message = f"El certificado ya está en estado «{label}»."
        elif current is CertificateStatus.EXPIRED and status is not CertificateStatus.EXPIRED:
            expired_on = format_date_es(local_date(valid_until))
            message = f"El certificado venció el {expired_on} y ya no se puede {verb}."
        elif current is CertificateStatus.ISSUED and valid_from is not None:
            starts_on = format_date_es(local_date(valid_from))
            message = (
                f"El certificado empieza a regir el {starts_on}; hasta entonces no se puede {verb}."
            )
        elif target is CertificateStatus.ACTIVE and is_replaced(superseded_at, now):
            message = (
                "El certificado fue reemplazado por su renovación y no se puede volver a activar."
            )
        else:
            message = f"El certificado está en estado «{label}» y no se puede {verb}."
        raise DomainError(ErrorCode.INVALID_STATE_TRANSITION, message)
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
    """Whether the job should mark the certificate Vencido now."""
    sources, _ = SYSTEM_TRANSITIONS[SystemTransition.EXPIRE]
    return status in sources and now >= valid_until


def can_supersede(status: CertificateStatus) -> bool:
    """Whether a starting renewal sets this certificate aside (only an active one)."""
    sources, _ = SYSTEM_TRANSITIONS[SystemTransition.SUPERSEDE]
    return status in sources


def initial_status(valid_from: datetime, valid_until: datetime, now: datetime) -> CertificateStatus:
    """The status a certificate is issued with: Emitido, unless its validity already started."""
    return effective_status(CertificateStatus.ISSUED, valid_from, valid_until, now)
