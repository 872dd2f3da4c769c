"""Use case: the company changes the state of its certificate (the edit action).

The time-driven changes due by now (a renewal that started, and the certificate it replaced)
are written first, so the change is decided on, and recorded from, the status the company sees.
"""

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.certificate_lifecycle import ensure_state_change
from domain.enums import CertificateStatus
from models import Certificate
from notifications.emails import queue_certificate_state_changed
from services.audit import record_audit
from services.certificate_clock import settle_certificates
from services.dependencies import AfterCommit, Dependencies
from services.history import record_certificate_change
from services.locking import lock_certificate, save_versioned
from services.principal import COMPANY_ROLES, Principal, require_role


@dataclass(frozen=True)
class ChangeStateCommand:
    certificate_id: int
    status: CertificateStatus
    reason: str | None = None


async def change_certificate_state(
    deps: Dependencies, principal: Principal | None, command: ChangeStateCommand
) -> Certificate:
    caller = require_role(principal, COMPANY_ROLES, "cambiar el estado de un certificado")
    now = deps.clock.now()

    after = AfterCommit()
    async with in_transaction():
        company, certificate = await lock_certificate(caller, command.certificate_id)
        await settle_certificates(deps, company, now, after)
        await certificate.refresh_from_db()
        other_active = await (
            Certificate.filter(company_id=company.id, status=CertificateStatus.ACTIVE)
            .exclude(id=certificate.id)
            .exists()
        )
        note = ensure_state_change(
            certificate.status,
            command.status,
            certificate.valid_until,
            now,
            command.reason,
            other_active,
            valid_from=certificate.valid_from,
            superseded_at=certificate.superseded_at,
        )
        previous = certificate.status
        certificate.status = command.status
        await save_versioned(certificate, now, "status")
        change, event = await record_certificate_change(
            certificate, from_status=previous, actor=caller, at=now, note=note
        )
        after.add(event)
        await queue_certificate_state_changed(deps.mail, certificate, company, change)
        await record_audit(
            AuditAction.CERTIFICATE_STATE_CHANGED,
            actor=caller,
            at=now,
            target_type="Certificate",
            target_id=certificate.id,
            company_id=company.id,
            details={"from": previous.value, "to": certificate.status.value, "note": note},
        )
    await after.publish(deps)
    return certificate
