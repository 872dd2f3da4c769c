"""The kinds of privileged action the audit trail records."""

from enum import StrEnum


class AuditAction(StrEnum):
    REQUEST_APPROVED = "REQUEST_APPROVED"
    REQUEST_REJECTED = "REQUEST_REJECTED"
    CERTIFICATE_STATE_CHANGED = "CERTIFICATE_STATE_CHANGED"
    OUTBOX_EMAIL_RETRIED = "OUTBOX_EMAIL_RETRIED"
    TOKEN_ISSUED = "TOKEN_ISSUED"  # noqa: S105 - an action name, not a secret
    TOKENS_REVOKED = "TOKENS_REVOKED"
    CONTACT_CHANGED = "CONTACT_CHANGED"
