"""The ledger of expiry emails: one row per certificate and stage, so no stage is emailed twice.

The row is written in the same transaction as the outbox email it announces. Its uniqueness on
(certificate, stage) is what makes the daily job safe to run again after a restart, or in two
processes at once: a second row for the same stage cannot be committed, so neither can its email.
"""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.certificates import Certificate
    from models.outbox import OutboxEmail


class CertificateReminder(Model):
    """One stage of the expiry timeline emailed for a certificate, and when it was queued."""

    id = fields.IntField(primary_key=True)
    certificate: fields.ForeignKeyRelation["Certificate"] = fields.ForeignKeyField(
        "models.Certificate", related_name="reminders", on_delete=fields.CASCADE
    )
    certificate_id: int
    # RENEWAL_OPEN, BEFORE_EXPIRY_<days> or EXPIRED, as domain.reminders.ReminderStage.key
    stage = fields.CharField(max_length=40)
    queued_at = fields.DatetimeField()
    email: fields.ForeignKeyNullableRelation["OutboxEmail"] = fields.ForeignKeyField(
        "models.OutboxEmail", related_name="reminders", null=True, on_delete=fields.SET_NULL
    )
    email_id: int | None

    class Meta:
        table = "certificate_reminders"
        unique_together = (("certificate", "stage"),)
