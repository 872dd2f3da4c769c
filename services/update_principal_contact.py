"""Use case: the company updates its principal contact, the address every email goes to."""

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.validation import normalize_email, require_text
from models import Company
from notifications.emails import queue_contact_changed
from services.audit import record_audit
from services.dependencies import Dependencies
from services.locking import lock_company
from services.principal import COMPANY_ROLES, Principal, require_role, target_company_id


@dataclass(frozen=True)
class UpdateContactCommand:
    name: str
    email: str
    company_id: int | None = None


async def update_principal_contact(
    deps: Dependencies, principal: Principal | None, command: UpdateContactCommand
) -> Company:
    caller = require_role(principal, COMPANY_ROLES, "cambiar el contacto principal")
    company_id = target_company_id(caller, command.company_id)
    name = require_text(command.name, field="name", label="El nombre del contacto principal")
    email = normalize_email(command.email, field="email")
    now = deps.clock.now()
    async with in_transaction():
        company = await lock_company(caller, company_id)
        old_name, old_email = company.contact_name, company.contact_email
        company.contact_name = name
        company.contact_email = email
        await company.save(update_fields=["contact_name", "contact_email", "updated_at"])
        await record_audit(
            AuditAction.CONTACT_CHANGED,
            actor=caller,
            at=now,
            target_type="Company",
            target_id=company.id,
            company_id=company.id,
            details={"from": f"{old_name} <{old_email}>", "to": f"{name} <{email}>"},
        )
        if old_email != email:
            await queue_contact_changed(
                deps.mail,
                company,
                old_name=old_name,
                old_email=old_email,
                actor=caller.name,
                at=now,
            )
    deps.wake_outbox()
    return company
