"""Tortoise models: the rows the service keeps. The schema changes only through `models/migrations`."""

from models.audit import AuditEvent
from models.certificates import Certificate, CertificateStatusChange
from models.companies import Company
from models.outbox import EmailKind, OutboxEmail, OutboxStatus
from models.reminders import CertificateReminder
from models.requests import CertificateRequest, RequestDocument, RequestStatusChange
from models.users import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Certificate",
    "CertificateReminder",
    "CertificateRequest",
    "CertificateStatusChange",
    "Company",
    "EmailKind",
    "OutboxEmail",
    "OutboxStatus",
    "RequestDocument",
    "RequestStatusChange",
    "User",
]

#: The Tortoise module paths of every model, for `Tortoise.init`.
MODEL_MODULES = [
    "models.companies",
    "models.users",
    "models.requests",
    "models.certificates",
    "models.outbox",
    "models.reminders",
    "models.audit",
]
