"""Reminder settings per company and the extra recipients who confirmed they want the reminders.

A company without a settings row follows the server's defaults. An extra recipient receives the
reminders only once confirmed through the link emailed to the address (`confirmed_at` set); the
link carries a random token of which only the SHA-256 is kept.
"""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from domain.reminder_settings import ReminderChannel

if TYPE_CHECKING:
    from models.companies import Company


class CompanyReminderSettings(Model):
    """How a company wants to hear about expiry, when it chose differently from the defaults."""

    id = fields.IntField(primary_key=True)
    company: fields.OneToOneRelation["Company"] = fields.OneToOneField(
        "models.Company", related_name="reminder_settings", on_delete=fields.CASCADE
    )
    company_id: int
    # Days before expiry, comma-separated, furthest first (e.g. 30,15,7,1).
    days_before = fields.CharField(max_length=100)
    after_expiry = fields.BooleanField(default=True)
    channel = fields.CharEnumField(ReminderChannel, max_length=10)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "company_reminder_settings"


class ReminderRecipient(Model):
    """Someone besides the principal contact who gets the reminders, once confirmed."""

    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyRelation["Company"] = fields.ForeignKeyField(
        "models.Company", related_name="reminder_recipients", on_delete=fields.CASCADE
    )
    company_id: int
    email = fields.CharField(max_length=254)
    name = fields.CharField(max_length=200, default="")
    token_sha256 = fields.CharField(max_length=64, unique=True)
    confirmed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "reminder_recipients"
        unique_together = (("company", "email"),)
