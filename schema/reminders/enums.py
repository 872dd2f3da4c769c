"""The reminder settings' enum, registered with Strawberry under the contract's name."""

import strawberry

from domain.reminder_settings import ReminderChannel

__all__ = ["ReminderChannel"]

strawberry.enum(
    ReminderChannel,
    name="ReminderChannel",
    description="How expiry reminders reach the company: EMAIL, WEBHOOK (the certificate."
    "renewal_open and certificate.reminder events) or BOTH.",
)
