"""The email that asks an extra reminder recipient to confirm the address, as an outbox row.

Awaited inside the caller's transaction, like every outbox email. The link carries the token in
clear; the database keeps only its SHA-256.
"""

from urllib.parse import quote

from models import Company
from models.outbox import EmailKind, OutboxEmail, OutboxStatus
from models.reminder_settings import ReminderRecipient
from notifications.config import MailConfig
from notifications.emails import message_id_for
from notifications.rendering import escape_html, load_template

CONFIRM_PATH = "/reminder-recipients/confirm"


def confirmation_url(config: MailConfig, token: str) -> str:
    return f"{config.public_base_url}{CONFIRM_PATH}?token={quote(token)}"


async def queue_recipient_confirmation(
    config: MailConfig, company: Company, recipient: ReminderRecipient, token: str
) -> None:
    values = {
        "legal_name": company.legal_name,
        "nit": company.nit,
        "email": recipient.email,
        "url": confirmation_url(config, token),
    }
    event_key = f"reminder-recipient:{recipient.id}:confirm:{recipient.token_sha256[:16]}"
    row = OutboxEmail(
        event_key=event_key,
        kind=EmailKind.REMINDER_RECIPIENT_CONFIRMATION,
        company_id=company.id,
        mail_from=config.mail_from,
        to_name=recipient.name or recipient.email,
        to_email=recipient.email,
        message_id=message_id_for(event_key, config),
        subject=load_template("reminder_recipient_confirmation.subject.txt")
        .substitute(values)
        .strip(),
        body_text=load_template("reminder_recipient_confirmation.txt").substitute(values),
        body_html=load_template("reminder_recipient_confirmation.html").substitute(
            {key: escape_html(value) for key, value in values.items()}
        ),
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
    )
    await OutboxEmail.bulk_create([row], ignore_conflicts=True)
