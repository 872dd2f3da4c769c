"""The audit trail (`audit_events`), issue 14.

The new outbox email kind CONTACT_CHANGED only changes the `kind` column's comment, which 0005's
`CommentOnly` records from the live enum (the column stays varchar(40)).
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0005_request_rules")]

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
    ]
