"""Use case: a reviewer approves a request, which issues the certificate.

Approval runs the same eligibility decision as submission (`services.eligibility`), so a request
that no longer leads to a certificate (another is open, the renewed certificate was revoked or
already renewed) is refused instead of issuing a second one. The validity must fit the bounds
the certification authority issues and start on the requested date or shortly after.

The certificate is Emitido until its validFrom, then Activo. A renewal replaces the renewed
certificate at the new one's validFrom: until then the old one stays usable; from then on it is
Inactivo for good. When the validity starts at once, the old one is set aside before the new one
is written as Activo, so the database's "one ACTIVE per company" index holds throughout.
"""

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.calendar import local_date
from domain.certificate_lifecycle import ISSUER, initial_status
from domain.enums import ErrorCode
from domain.errors import DomainError
from domain.request_lifecycle import REQUEST_ACTION_ROLES, RequestAction, next_request_status
from domain.validation import ensure_validity_period, require_text
from models import Certificate, CertificateRequest
from notifications.emails import queue_request_approved
from services.audit import record_audit
from services.certificate_clock import settle_certificates
from services.dependencies import AfterCommit, Dependencies
from services.eligibility import check_eligibility
from services.history import record_certificate_change, record_request_change
from services.locking import lock_request, save_versioned
from services.principal import Principal, require_role


@dataclass(frozen=True)
class ApproveCommand:
    request_id: int
    serial_number: str
    valid_from: datetime
    valid_until: datetime


async def approve_certificate_request(
    deps: Dependencies, principal: Principal | None, command: ApproveCommand
) -> tuple[CertificateRequest, Certificate]:
    caller = require_role(
        principal, REQUEST_ACTION_ROLES[RequestAction.APPROVE], "aprobar solicitudes"
    )
    serial = require_text(
        command.serial_number, field="serialNumber", label="El número de serie", max_length=100
    )
    ensure_validity_period(command.valid_from, command.valid_until, rules=deps.rules)
    now = deps.clock.now()

    after = AfterCommit()
    async with in_transaction():
        company, request = await lock_request(caller, command.request_id)
        previous_status = request.status
        request.status = next_request_status(request.status, RequestAction.APPROVE)
        ensure_validity_period(
            command.valid_from,
            command.valid_until,
            request.validity_starts_on,
            deps.rules,
            today=local_date(now),
        )
        await check_eligibility(company.id, now, request)
        if await Certificate.exists(issuer=ISSUER, serial_number=serial):
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"Ya existe un certificado de {ISSUER} con el número de serie {serial}.",
                field="serialNumber",
            )
        await settle_certificates(deps, company, now, after)
        renewed = (
            await Certificate.filter(id=request.renewal_of_id).select_for_update().get()
            if request.renewal_of_id is not None
            else None
        )
        if renewed is not None:
            # The old certificate is replaced at the new one's start; if that is now, it is set
            # aside here, before the new one is written as ACTIVE.
            renewed.superseded_at = command.valid_from
            await save_versioned(renewed, now, "superseded_at")
            await settle_certificates(deps, company, now, after)
            await renewed.refresh_from_db(fields=["status", "version", "updated_at"])
        certificate = await Certificate.create(
            company_id=company.id,
            request_id=request.id,
            serial_number=serial,
            issuer=ISSUER,
            status=initial_status(command.valid_from, command.valid_until, now),
            valid_from=command.valid_from,
            valid_until=command.valid_until,
        )
        _, issued = await record_certificate_change(
            certificate, from_status=None, actor=caller, at=now, note=f"Emitido por {ISSUER}."
        )
        after.add(issued)
        if renewed is not None:
            renewed.replaced_by_id = certificate.id
            await save_versioned(renewed, now, "replaced_by_id")

        request.decided_at = now
        request.observations = None
        await save_versioned(request, now, "status", "decided_at", "observations")
        after.add(
            await record_request_change(
                request,
                from_status=previous_status,
                actor=caller,
                at=now,
                note=f"Certificado {serial} emitido.",
            )
        )
        await queue_request_approved(deps.mail, request, company, certificate, now)
        await record_audit(
            AuditAction.REQUEST_APPROVED,
            actor=caller,
            at=now,
            target_type="CertificateRequest",
            target_id=request.id,
            company_id=company.id,
            details={"serialNumber": serial, "certificateId": certificate.id},
        )
    await after.publish(deps)
    return request, certificate
