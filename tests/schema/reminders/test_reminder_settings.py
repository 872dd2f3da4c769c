"""Reminder settings per company, with a moving clock: stages, channel, extra recipients."""

import re
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from domain.calendar import BOGOTA
from domain.clock import FixedClock
from domain.webhooks import WebhookEventType
from models import OutboxEmail
from models.outbox import EmailKind
from services.dependencies import Dependencies
from services.expire_and_remind import run_daily_job
from tests.support.expiry import issue_a_year_ago
from tests.support.factories import Caller
from tests.support.graphql import GraphQLClient, data_of
from tests.support.refusals import assert_refused
from tests.support.webhook_receiver import (
    WebhookReceiver,
    register_local_endpoint,
    run_jobs_and_deliver,
)

SETTINGS = """
query { reminderSettings { daysBefore afterExpiry channel isDefault
  recipients { email confirmed } } }"""

UPDATE = """
mutation($input: UpdateReminderSettingsInput!) { updateReminderSettings(input: $input) {
  settings { daysBefore afterExpiry channel isDefault } errors { code message field } } }"""

ADD = """
mutation($input: AddReminderRecipientInput!) { addReminderRecipient(input: $input) {
  recipient { id email confirmed } errors { code message field } } }"""

REMINDER_KINDS = (
    EmailKind.CERTIFICATE_RENEWAL_OPEN,
    EmailKind.CERTIFICATE_EXPIRY_REMINDER,
    EmailKind.CERTIFICATE_EXPIRED,
)


def day(month: int, dom: int, year: int = 2027) -> datetime:
    return datetime(year, month, dom, 1, tzinfo=BOGOTA)


async def update(gql: GraphQLClient, caller: Caller, **values: Any) -> dict[str, Any]:
    result: dict[str, Any] = data_of(await gql.execute(UPDATE, {"input": values}, caller.token))[
        "updateReminderSettings"
    ]
    return result


async def reminder_emails() -> list[tuple[str, str]]:
    rows = await OutboxEmail.filter(kind__in=REMINDER_KINDS).order_by("id")
    return [(row.subject, row.to_email) for row in rows]


async def test_defaults_come_from_the_settings_until_the_company_changes_them(
    gql: GraphQLClient, customer: Caller, reviewer: Caller
) -> None:
    before = data_of(await gql.execute(SETTINGS, token=customer.token))["reminderSettings"]
    assert before == {
        "daysBefore": [30, 15, 7, 1],
        "afterExpiry": True,
        "channel": "BOTH",
        "isDefault": True,
        "recipients": [],
    }
    changed = await update(gql, customer, daysBefore=[3, 10, 10], channel="EMAIL")
    assert changed["errors"] == []
    assert changed["settings"] == {
        "daysBefore": [10, 3],
        "afterExpiry": True,
        "channel": "EMAIL",
        "isDefault": False,
    }
    bad = await update(gql, customer, daysBefore=[0])
    assert bad["errors"] == [
        {
            "code": "INVALID_INPUT",
            "message": "Cada recordatorio debe estar entre 1 y 366 días antes del vencimiento.",
            "field": "daysBefore",
        }
    ]
    refused = await update(gql, reviewer, daysBefore=[5])
    assert_refused(
        refused, "FORBIDDEN", message="Tu rol no permite cambiar los avisos de vencimiento."
    )


async def test_the_company_stages_and_channel_drive_the_timeline_once_per_stage(
    gql: GraphQLClient,
    app: Starlette,
    clock: FixedClock,
    customer: Caller,
    reviewer: Caller,
    admin: Caller,
) -> None:
    receiver = WebhookReceiver().start()
    try:
        await register_local_endpoint(
            admin.principal,
            receiver.url,
            [WebhookEventType.CERTIFICATE_REMINDER, WebhookEventType.CERTIFICATE_EXPIRED],
        )
        await issue_a_year_ago(gql, clock, customer, reviewer)
        settings = await update(
            gql, customer, daysBefore=[10, 3], afterExpiry=False, channel="EMAIL"
        )
        assert settings["errors"] == []
        instants = (day(10, 26), day(11, 11), day(11, 16), day(11, 16), day(11, 23), day(11, 27))
        await run_jobs_and_deliver(app.state.deps, clock, instants)
        types = [body["type"] for body in receiver.bodies()]
    finally:
        receiver.stop()

    contact = await OutboxEmail.filter(kind=EmailKind.REQUEST_RECEIVED).first()
    assert contact is not None
    assert await reminder_emails() == [
        ("Ya puedes renovar tu certificado digital (vence el 26/11/2027)", contact.to_email),
        ("Tu certificado digital vence en 10 días (26/11/2027)", contact.to_email),
        ("Tu certificado digital vence en 3 días (26/11/2027)", contact.to_email),
    ]  # no 30/15/7/1-day reminder, no email after expiry
    # Channel EMAIL: no reminder webhook; the expiry itself (a state change) still arrives.
    assert types == ["certificate.expired"]


async def test_an_extra_recipient_gets_reminders_only_once_confirmed(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    app: Starlette,
    clock: FixedClock,
    customer: Caller,
    reviewer: Caller,
) -> None:
    await issue_a_year_ago(gql, clock, customer, reviewer)
    added = data_of(
        await gql.execute(
            ADD, {"input": {"email": "tesoreria@Ejemplo.co", "name": "Tesorería"}}, customer.token
        )
    )["addReminderRecipient"]
    assert added["errors"] == []
    assert added["recipient"]["confirmed"] is False
    again = data_of(
        await gql.execute(ADD, {"input": {"email": "tesoreria@ejemplo.co"}}, customer.token)
    )["addReminderRecipient"]
    assert again["errors"] == [
        {
            "code": "CONFLICT",
            "message": "Ese correo ya está entre los destinatarios.",
            "field": "email",
        }
    ]
    [invitation] = await OutboxEmail.filter(kind=EmailKind.REMINDER_RECIPIENT_CONFIRMATION)
    assert invitation.to_email == "tesoreria@ejemplo.co"
    link = re.search(r"(http\S+/reminder-recipients/confirm\?token=\S+)", invitation.body_text)
    assert link is not None
    path = "/" + link.group(1).split("/", 3)[3]

    deps: Dependencies = app.state.deps
    clock.set(day(10, 27))
    await run_daily_job(deps, clock.now())
    # The 30-day reminder: the principal contact alone, the recipient has not confirmed yet.
    assert [to for _, to in await reminder_emails()] == [await _contact_email()]

    page = await http.get(path)
    assert page.status_code == 200
    assert "Confirmar mi correo" in page.text  # following the link confirms nothing by itself
    shown = data_of(await gql.execute(SETTINGS, token=customer.token))["reminderSettings"]
    assert shown["recipients"] == [{"email": "tesoreria@ejemplo.co", "confirmed": False}]
    confirmed = await http.post(path)
    assert confirmed.status_code == 200
    assert "Listo: tesoreria@ejemplo.co recibirá los avisos de vencimiento." in confirmed.text
    assert (await http.post("/reminder-recipients/confirm?token=otro")).status_code == 404

    clock.set(day(11, 11))
    await run_daily_job(deps, clock.now())
    await run_daily_job(deps, clock.now() + timedelta(hours=1))
    assert await reminder_emails() == [
        ("Tu certificado digital vence en 30 días (26/11/2027)", await _contact_email()),
        ("Tu certificado digital vence en 15 días (26/11/2027)", await _contact_email()),
        ("Tu certificado digital vence en 15 días (26/11/2027)", "tesoreria@ejemplo.co"),
    ]


async def _contact_email() -> str:
    row = await OutboxEmail.filter(kind=EmailKind.REQUEST_RECEIVED).first()
    assert row is not None
    return row.to_email
