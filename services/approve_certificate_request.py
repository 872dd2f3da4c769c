"""Use case: a reviewer approves a request, which issues the certificate.

The new certificate is ACTIVE; any other ACTIVE certificate of the company (the one a renewal
renews) becomes INACTIVE, so a company never has two ACTIVE certificates.
"""

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from domain.calendar import format_date_es, local_date
from domain.certificate_lifecycle import ISSUER, can_expire, can_supersede
from domain.enums import CertificateStatus, ErrorCode
from domain.errors import DomainError
from domain.request_lifecycle import REQUEST_ACTION_ROLES, RequestAction, next_request_status
from domain.validation import ensure_validity_period, require_text
from models import Certificate, CertificateRequest
from notifications.emails import queue_request_approved
from services.dependencies import AfterCommit, Dependencies
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
    ensure_validity_period(command.valid_from, command.valid_until)
    now = deps.clock.now()

    after = AfterCommit()
    async with in_transaction():
        company, request = await lock_request(caller, command.request_id)
        previous_status = request.status
        request.status = next_request_status(request.status, RequestAction.APPROVE)
        if local_date(command.valid_from) < request.validity_starts_on:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "La vigencia no puede empezar antes de la fecha pedida por la empresa "
                f"({format_date_es(request.validity_starts_on)}).",
                field="validFrom",
            )
        if await Certificate.exists(issuer=ISSUER, serial_number=serial):
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"Ya existe un certificado de {ISSUER} con el número de serie {serial}.",
                field="serialNumber",
            )
        certificate = await Certificate.create(
            company_id=company.id,
            request_id=request.id,
            serial_number=serial,
            issuer=ISSUER,
            status=CertificateStatus.ACTIVE,
            valid_from=command.valid_from,
            valid_until=command.valid_until,
        )
        _, issued = await record_certificate_change(
            certificate, from_status=None, actor=caller, at=now, note=f"Emitido por {ISSUER}."
        )
        after.add(issued)
        for older in await Certificate.filter(company_id=company.id).exclude(id=certificate.id):
            renewed = older.id == request.renewal_of_id
            if not (renewed or older.status is CertificateStatus.ACTIVE):
                continue
            previous = older.status
            if can_expire(older.status, older.valid_until, now):
                # Past its end date but not yet marked by the daily job: it is expired, not
                # merely set aside.
                older.status = CertificateStatus.EXPIRED
            elif can_supersede(older.status):
                older.status = CertificateStatus.INACTIVE
            if renewed:
                older.replaced_by_id = certificate.id
            await save_versioned(older, now, "status", "replaced_by_id")
            if older.status is not previous:
                _, superseded = await record_certificate_change(
                    older,
                    from_status=previous,
                    actor=None,
                    at=now,
                    note=f"Reemplazado por el certificado {serial}.",
                )
                after.add(superseded)

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
        await queue_request_approved(deps.mail, request, company, certificate)
    await after.publish(deps)
    return request, certificate
