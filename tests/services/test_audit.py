"""The audit trail: every privileged action recorded with who, when, from where and what; read by
operators only, a page at a time, filtered."""

import json
from datetime import timedelta

import pytest

from domain.audit import AuditAction
from domain.enums import ErrorCode
from domain.errors import DomainError
from domain.reminder_settings import ReminderChannel
from models import AuditEvent, Company, EmailKind
from services.audit import AuditFilter, audit_source, list_audit_events
from services.auth import issue_token, revoke_tokens
from services.certificate_clock import default_plan
from services.dependencies import Dependencies
from services.reminder_settings import add_recipient, remove_recipient, update_reminders
from services.update_principal_contact import UpdateContactCommand, update_principal_contact
from services.webhooks import set_endpoint_enabled
from services.webhooks_policy import WebhookPolicy
from tests.support.factories import Caller
from tests.support.use_cases import approve, emails, reject, submit
from tests.support.webhook_receiver import register_local_endpoint


async def trail(after: int = 0) -> list[AuditEvent]:
    return await AuditEvent.filter(id__gt=after).order_by("id")


async def last_id() -> int:
    """The fixtures' callers got tokens (TOKEN_ISSUED): tests look at what follows."""
    last = await AuditEvent.all().order_by("-id").first()
    return last.id if last else 0


async def test_a_reviewers_decisions_are_recorded_with_who_when_where_and_what(
    deps: Dependencies, customer: Caller, reviewer: Caller, company: Company
) -> None:
    request = await submit(deps, customer)
    start = await last_id()
    token = audit_source.set("203.0.113.7")
    try:
        await reject(deps, reviewer, request, observations="Falta la firma.")
    finally:
        audit_source.reset(token)
    (event,) = await trail(start)  # submitting is not a privileged action
    assert event.action == AuditAction.REQUEST_REJECTED
    assert (event.actor_id, event.actor_name, event.actor_role) == (
        reviewer.user.id,
        "Andrés Gómez",
        "REVIEWER",
    )
    assert event.actor_email == reviewer.user.email
    assert event.at == deps.clock.now()
    assert event.source == "203.0.113.7"
    assert (event.target_type, event.target_id, event.company_id) == (
        "CertificateRequest",
        request.id,
        company.id,
    )
    assert json.loads(event.details)["observations"] == "Falta la firma."


async def test_approvals_tokens_and_contact_changes_are_recorded(
    deps: Dependencies, customer: Caller, reviewer: Caller, company: Company
) -> None:
    request = await submit(deps, customer)
    start = await last_id()
    await approve(deps, reviewer, request, serial="SN-AUDIT")
    await issue_token(customer.user.email, now=deps.clock.now(), expires_in_days=30)
    await revoke_tokens(customer.user.email, now=deps.clock.now())
    await update_principal_contact(
        deps, customer.principal, UpdateContactCommand("Pedro Ruiz", "pedro@ejemplo.co")
    )
    events = await trail(start)
    assert [e.action for e in events] == [
        AuditAction.REQUEST_APPROVED,
        AuditAction.TOKEN_ISSUED,
        AuditAction.TOKENS_REVOKED,
        AuditAction.CONTACT_CHANGED,
    ]
    assert json.loads(events[0].details)["serialNumber"] == "SN-AUDIT"
    assert (events[1].actor_role, events[1].source) == ("CLI", "cli")
    assert json.loads(events[3].details) == {
        "from": "María Peña <contacto@ejemplo.co>",
        "to": "Pedro Ruiz <pedro@ejemplo.co>",
    }


async def test_a_contact_change_emails_the_old_address_too(
    deps: Dependencies, customer: Caller, company: Company
) -> None:
    await update_principal_contact(
        deps, customer.principal, UpdateContactCommand("Pedro Ruiz", "pedro@ejemplo.co")
    )
    (notice,) = await emails(kind=EmailKind.CONTACT_CHANGED)
    assert (notice.to_name, notice.to_email) == ("María Peña", "contacto@ejemplo.co")
    assert notice.subject == f"Cambió el contacto principal de {company.legal_name}"
    assert "Pedro Ruiz <pedro@ejemplo.co>" in notice.body_text
    assert "Camila Rojas cambió el contacto principal" in notice.body_text


async def test_only_operators_read_the_trail_a_page_at_a_time_and_filtered(
    deps: Dependencies, customer: Caller, reviewer: Caller, admin: Caller
) -> None:
    await AuditEvent.all().delete()  # the fixtures' tokens
    for n in range(5):
        await update_principal_contact(
            deps, customer.principal, UpdateContactCommand(f"Contacto {n}", f"c{n}@ejemplo.co")
        )
        deps.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    await issue_token(customer.user.email, now=deps.clock.now(), expires_in_days=None)

    with pytest.raises(DomainError) as refused:
        await list_audit_events(reviewer.principal, AuditFilter(), first=10, after_id=None)
    assert refused.value.code is ErrorCode.FORBIDDEN
    assert refused.value.message == "Solo un operador (ADMIN) puede ver el registro de auditoría."

    first, more = await list_audit_events(admin.principal, AuditFilter(), first=4, after_id=None)
    assert more
    assert first[0].action == AuditAction.TOKEN_ISSUED  # newest first
    rest, more = await list_audit_events(
        admin.principal, AuditFilter(), first=4, after_id=first[-1].id
    )
    assert not more
    assert len(first) + len(rest) == 6
    changes, _ = await list_audit_events(
        admin.principal,
        AuditFilter(action=AuditAction.CONTACT_CHANGED, actor_email=customer.user.email),
        first=50,
        after_id=None,
    )
    assert len(changes) == 5


async def test_reminder_settings_and_webhook_administration_are_recorded(
    deps: Dependencies, customer: Caller, admin: Caller, company: Company
) -> None:
    """Issue 19: changes of a company's reminder settings, its extra recipients and the webhook
    endpoints are privileged actions too: each in the trail, with the before and after."""
    start = await last_id()
    now = deps.clock.now()
    await update_reminders(
        customer.principal,
        None,
        default_plan(deps),
        days_before=[20, 5],
        after_expiry=False,
        channel=ReminderChannel.EMAIL,
        now=now,
    )
    recipient = await add_recipient(
        customer.principal,
        None,
        email="contabilidad@ejemplo.co",
        name=None,
        now=now,
        mail=deps.mail,
    )
    await remove_recipient(customer.principal, recipient.id, now=now)
    endpoint, _secret = await register_local_endpoint(admin.principal, "http://127.0.0.1:9/hooks")
    await set_endpoint_enabled(
        admin.principal, WebhookPolicy(allow_local=True), endpoint.id, False, now=now
    )

    rows = await trail(start)
    assert [row.action for row in rows] == [
        AuditAction.REMINDER_SETTINGS_CHANGED,
        AuditAction.REMINDER_RECIPIENT_ADDED,
        AuditAction.REMINDER_RECIPIENT_REMOVED,
        AuditAction.WEBHOOK_ENDPOINT_REGISTERED,
        AuditAction.WEBHOOK_ENDPOINT_ENABLED_CHANGED,
    ]
    settings, added, removed, registered, switched = rows
    assert (settings.actor_email, settings.company_id) == (customer.user.email, company.id)
    assert json.loads(settings.details)["after"] == {
        "daysBefore": [20, 5],
        "afterExpiry": False,
        "channel": "EMAIL",
    }
    assert json.loads(settings.details)["before"]["daysBefore"] == list(deps.reminder_days)
    assert json.loads(added.details) == {"email": "contabilidad@ejemplo.co"}
    assert (removed.target_type, removed.target_id) == ("ReminderRecipient", recipient.id)
    assert (registered.actor_email, registered.target_id) == (admin.user.email, endpoint.id)
    assert json.loads(registered.details)["url"] == "http://127.0.0.1:9/hooks"
    assert json.loads(switched.details) == {"enabled": False}
