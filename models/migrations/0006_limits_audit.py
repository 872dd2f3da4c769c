"""The audit trail (`audit_events`) and a new outbox email kind, CONTACT_CHANGED (issue 14).

The new enum value only changes the `kind` column's comment: the column stays varchar(40). Tortoise
would apply that on SQLite by rebuilding `outbox_emails`, which drops its indexes and, with
`certificate_reminders` now referring to it, would run that table's ON DELETE SET NULL on the
rebuild's drop. `EnumCommentOnly` records the new state and leaves the database alone.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.outbox import EmailKind


class EnumCommentOnly(ops.AlterField):
    """An AlterField whose only database effect would be a column comment: state only."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [("models", "0004_foreign_key_indexes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("actor_id", fields.IntField(null=True)),
                ("actor_name", fields.CharField(max_length=200)),
                ("actor_email", fields.CharField(max_length=254)),
                ("actor_role", fields.CharField(max_length=20)),
                ("source", fields.CharField(max_length=100)),
                ("action", fields.CharField(db_index=True, max_length=60)),
                ("target_type", fields.CharField(max_length=60)),
                ("target_id", fields.IntField(null=True)),
                ("company_id", fields.IntField(null=True, db_index=True)),
                ("details", fields.TextField(default="{}", unique=False)),
            ],
            options={
                "table": "audit_events",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A privileged action: who did what to which row, when and from where.",
            },
            bases=["Model"],
        ),
        EnumCommentOnly(
            model_name="OutboxEmail",
            name="kind",
            field=fields.CharEnumField(
                description="REQUEST_RECEIVED: REQUEST_RECEIVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_APPROVED: REQUEST_APPROVED\nCERTIFICATE_STATE_CHANGED: CERTIFICATE_STATE_CHANGED\nCERTIFICATE_RENEWAL_OPEN: CERTIFICATE_RENEWAL_OPEN\nCERTIFICATE_EXPIRY_REMINDER: CERTIFICATE_EXPIRY_REMINDER\nCERTIFICATE_EXPIRED: CERTIFICATE_EXPIRED\nCONTACT_CHANGED: CONTACT_CHANGED",
                enum_type=EmailKind,
                max_length=40,
            ),
        ),
    ]
