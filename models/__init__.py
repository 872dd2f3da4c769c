"""Tortoise models: the rows the service keeps. The schema changes only through `models/migrations`."""

from models.audit import AuditEvent
from models.certificates import Certificate, CertificateStatusChange
from models.companies import Company
from models.live import Deployment, LiveEvent, LiveEventKind
from models.outbox import EmailKind, OutboxEmail, OutboxStatus
from models.persisted import PersistedDocument, PersistedDocumentId
from models.reminder_settings import CompanyReminderSettings, ReminderRecipient
from models.reminders import CertificateReminder
from models.requests import CertificateRequest, RequestDocument, RequestStatusChange
from models.users import ApiToken, User
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEvent

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Certificate",
    "CertificateReminder",
    "CertificateRequest",
    "CertificateStatusChange",
    "Company",
    "CompanyReminderSettings",
    "Deployment",
    "EmailKind",
    "LiveEvent",
    "LiveEventKind",
    "OutboxEmail",
    "OutboxStatus",
    "PersistedDocument",
    "PersistedDocumentId",
    "ReminderRecipient",
    "RequestDocument",
    "RequestStatusChange",
    "User",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
    "WebhookEndpoint",
    "WebhookEvent",
]

#: The Tortoise module paths of every model, for `Tortoise.init`.
MODEL_MODULES = [
    "models.companies",
    "models.users",
    "models.requests",
    "models.certificates",
    "models.outbox",
    "models.reminders",
    "models.reminder_settings",
    "models.webhooks",
    "models.live",
    "models.audit",
    "models.persisted",
]
