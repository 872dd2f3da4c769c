"""Use cases of the reminder settings per company: read, change, add and remove extra recipients,
and confirm a recipient through the emailed link.

A company user manages their own company's settings; an operator (ADMIN) any company's. Until a
company changes anything it follows the server's defaults (REMINDER_DAYS, REMINDER_CHANNEL).
An extra recipient gets nothing until they follow the link emailed to them.
"""

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.enums import ErrorCode
from domain.errors import DomainError
from domain.reminder_settings import (
    MAX_EXTRA_RECIPIENTS,
    ReminderChannel,
    ReminderPlan,
    validate_days,
)
from domain.validation import normalize_email
from models import Company
from models.reminder_settings import CompanyReminderSettings, ReminderRecipient
from notifications.config import MailConfig
from notifications.reminder_recipients import queue_recipient_confirmation
from services.audit import record_audit
from services.principal import (
    COMPANY_ROLES,
    Principal,
    not_found,
    require_role,
    target_company_id,
)

NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class CompanyReminders:
    company_id: int
    plan: ReminderPlan
    is_default: bool
    recipients: list[ReminderRecipient]


def plan_of(row: CompanyReminderSettings | None, defaults: ReminderPlan) -> ReminderPlan:
    if row is None:
        return defaults
    days = tuple(int(part) for part in row.days_before.split(",") if part)
    return ReminderPlan(days_before=days, after_expiry=row.after_expiry, channel=row.channel)


async def plans_for(company_ids: Iterable[int], defaults: ReminderPlan) -> dict[int, ReminderPlan]:
    """Each company's plan (the defaults for those that changed nothing)."""
    ids = list(set(company_ids))
    rows = await CompanyReminderSettings.filter(company_id__in=ids) if ids else []
    by_company = {row.company_id: row for row in rows}
    return {company_id: plan_of(by_company.get(company_id), defaults) for company_id in ids}


async def all_stage_days(defaults: ReminderPlan) -> tuple[int, ...]:
    """Every day count any company uses, so the job looks far enough ahead."""
    days = set(defaults.days_before)
    for raw in await CompanyReminderSettings.all().values_list("days_before", flat=True):
        days.update(int(part) for part in str(raw).split(",") if part)
    return tuple(sorted(days, reverse=True))


async def confirmed_recipients(company_id: int) -> list[ReminderRecipient]:
    return await ReminderRecipient.filter(
        company_id=company_id, confirmed_at__isnull=False
    ).order_by("id")


async def _company_for(principal: Principal | None, company_id: int | None, action: str) -> int:
    caller = require_role(principal, COMPANY_ROLES, action)
    scoped = target_company_id(caller, company_id)
    if not await Company.exists(id=scoped):
        raise not_found("la empresa")
    return scoped


async def get_reminders(
    principal: Principal | None, company_id: int | None, defaults: ReminderPlan
) -> CompanyReminders:
    scoped = await _company_for(principal, company_id, "ver los avisos de vencimiento")
    row = await CompanyReminderSettings.get_or_none(company_id=scoped)
    recipients = await ReminderRecipient.filter(company_id=scoped).order_by("id")
    return CompanyReminders(scoped, plan_of(row, defaults), row is None, list(recipients))


async def update_reminders(
    principal: Principal | None,
    company_id: int | None,
    defaults: ReminderPlan,
    *,
    days_before: Sequence[int] | None,
    after_expiry: bool | None,
    channel: ReminderChannel | None,
    now: datetime,
) -> CompanyReminders:
    """Change what is given; what is not given keeps its current value (or the default)."""
    scoped = await _company_for(principal, company_id, "cambiar los avisos de vencimiento")
    days = validate_days(days_before) if days_before is not None else None
    async with in_transaction():
        await Company.filter(id=scoped).select_for_update().get()
        row = await CompanyReminderSettings.get_or_none(company_id=scoped)
        current = plan_of(row, defaults)
        plan = ReminderPlan(
            days_before=current.days_before if days is None else days,
            after_expiry=current.after_expiry if after_expiry is None else after_expiry,
            channel=current.channel if channel is None else channel,
        )
        values: dict[str, Any] = {
            "days_before": ",".join(str(d) for d in plan.days_before),
            "after_expiry": plan.after_expiry,
            "channel": plan.channel,
            "updated_at": now,
        }
        if row is None:
            await CompanyReminderSettings.create(company_id=scoped, **values)
        else:
            await CompanyReminderSettings.filter(id=row.id).update(**values)
        await record_audit(
            AuditAction.REMINDER_SETTINGS_CHANGED,
            actor=principal,
            at=now,
            target_type="Company",
            target_id=scoped,
            company_id=scoped,
            details={
                "before": _plan_details(current),
                "after": _plan_details(plan),
            },
        )
    return await get_reminders(principal, scoped, defaults)


def _plan_details(plan: ReminderPlan) -> dict[str, Any]:
    return {
        "daysBefore": list(plan.days_before),
        "afterExpiry": plan.after_expiry,
        "channel": plan.channel.value,
    }


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_recipient(
    principal: Principal | None,
    company_id: int | None,
    *,
    email: str,
    name: str | None,
    now: datetime,
    mail: MailConfig,
) -> ReminderRecipient:
    """A new, unconfirmed recipient, and the email with the link that confirms it."""
    scoped = await _company_for(principal, company_id, "cambiar los avisos de vencimiento")
    address = normalize_email(email, field="email")
    label = (name or "").strip()
    if len(label) > NAME_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"El nombre no puede tener más de {NAME_MAX_LENGTH} caracteres.",
            field="name",
        )
    async with in_transaction():
        company = await Company.filter(id=scoped).select_for_update().get()
        if address.lower() == company.contact_email.lower():
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "Ese correo es el del contacto principal: ya recibe los avisos.",
                field="email",
            )
        existing = await ReminderRecipient.filter(company_id=scoped)
        if any(r.email.lower() == address.lower() for r in existing):
            raise DomainError(
                ErrorCode.CONFLICT, "Ese correo ya está entre los destinatarios.", field="email"
            )
        if len(existing) >= MAX_EXTRA_RECIPIENTS:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"Puedes agregar como máximo {MAX_EXTRA_RECIPIENTS} destinatarios.",
                field="email",
            )
        token = secrets.token_urlsafe(32)
        recipient = await ReminderRecipient.create(
            company_id=scoped,
            email=address,
            name=label,
            token_sha256=_digest(token),
            created_at=now,
        )
        await queue_recipient_confirmation(mail, company, recipient, token)
        await record_audit(
            AuditAction.REMINDER_RECIPIENT_ADDED,
            actor=principal,
            at=now,
            target_type="ReminderRecipient",
            target_id=recipient.id,
            company_id=scoped,
            details={"email": address},
        )
    return recipient


async def remove_recipient(principal: Principal | None, recipient_id: int, *, now: datetime) -> int:
    caller = require_role(principal, COMPANY_ROLES, "cambiar los avisos de vencimiento")
    async with in_transaction():
        recipient = await ReminderRecipient.filter(id=recipient_id).select_for_update().first()
        if recipient is None or not caller.may_see_company(recipient.company_id):
            raise not_found("el destinatario")
        await recipient.delete()
        await record_audit(
            AuditAction.REMINDER_RECIPIENT_REMOVED,
            actor=principal,
            at=now,
            target_type="ReminderRecipient",
            target_id=recipient_id,
            company_id=recipient.company_id,
            details={"email": recipient.email},
        )
    return recipient_id


async def confirm_recipient(token: str, now: datetime) -> ReminderRecipient | None:
    """Confirm the recipient the token belongs to; None for an unknown token."""
    if not token or len(token) > 100:
        return None
    async with in_transaction():
        recipient = (
            await ReminderRecipient.filter(token_sha256=_digest(token)).select_for_update().first()
        )
        if recipient is None:
            return None
        if recipient.confirmed_at is None:
            recipient.confirmed_at = now
            await recipient.save(update_fields=["confirmed_at"])
    return recipient
