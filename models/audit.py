"""The audit trail: one row per privileged action, written in the action's own transaction.

Who (the user, and their name, email and role as they were), when, from where (the client's
address, or "cli" for the operators' command line) and what (an action code, its target and a
short JSON of details). Rows are never updated or deleted by the application.
"""

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    """A privileged action: who did what to which row, when and from where."""

    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    actor_id = fields.IntField(null=True)
    actor_name = fields.CharField(max_length=200)
    actor_email = fields.CharField(max_length=254)
    actor_role = fields.CharField(max_length=20)
    source = fields.CharField(max_length=100)
    action = fields.CharField(max_length=60, db_index=True)
    target_type = fields.CharField(max_length=60)
    target_id = fields.IntField(null=True)
    company_id = fields.IntField(null=True, db_index=True)
    details = fields.TextField(default="{}")

    class Meta:
        table = "audit_events"
