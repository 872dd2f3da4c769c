"""The transactional outbox: one row per email, written in the same transaction as its cause.

A status change and the email that announces it are committed together or not at all, so a
rolled-back change never sends anything and a committed one is always delivered eventually by
the worker in `notifications.worker`. The row keeps the fully rendered message (subject, text,
HTML, recipient, sender, Message-ID) so that delivery does not depend on templates, settings or
the company's contact changing after the event.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.companies import Company


class OutboxStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class EmailKind(StrEnum):
    REQUEST_RECEIVED = "REQUEST_RECEIVED"
    REQUEST_REJECTED = "REQUEST_REJECTED"
    REQUEST_APPROVED = "REQUEST_APPROVED"
    CERTIFICATE_STATE_CHANGED = "CERTIFICATE_STATE_CHANGED"
    CERTIFICATE_RENEWAL_OPEN = "CERTIFICATE_RENEWAL_OPEN"
    CERTIFICATE_EXPIRY_REMINDER = "CERTIFICATE_EXPIRY_REMINDER"
    CERTIFICATE_EXPIRED = "CERTIFICATE_EXPIRED"
    WEBHOOK_ENDPOINT_DISABLED = "WEBHOOK_ENDPOINT_DISABLED"
    REMINDER_RECIPIENT_CONFIRMATION = "REMINDER_RECIPIENT_CONFIRMATION"
    REQUEST_WITHDRAWN = "REQUEST_WITHDRAWN"
    CERTIFICATE_STARTED = "CERTIFICATE_STARTED"
    #: To the previous principal contact, when the company changes it (issue 14).
    CONTACT_CHANGED = "CONTACT_CHANGED"


class OutboxEmail(Model):
    """One email to send. The event key is unique so an event is never queued twice."""

    id = fields.IntField(primary_key=True)
    event_key = fields.CharField(max_length=200, unique=True)
    kind = fields.CharEnumField(EmailKind, max_length=40)
    company: fields.ForeignKeyRelation["Company"] = fields.ForeignKeyField(
        "models.Company", related_name="outbox_emails", on_delete=fields.RESTRICT
    )
    company_id: int
    mail_from = fields.CharField(max_length=320)
    to_name = fields.CharField(max_length=200)
    to_email = fields.CharField(max_length=254)
    message_id = fields.CharField(max_length=255, unique=True)
    subject = fields.CharField(max_length=300)
    body_text = fields.TextField()
    body_html = fields.TextField()
    status = fields.CharEnumField(
        OutboxStatus, max_length=10, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = fields.IntField(default=0)
    # NULL means due at once: queuing happens inside services that pass no clock.
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    last_attempt_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_emails"
