"""The event outbox of live updates (`models.live.LiveEvent`) and the deployment's id.

Plain tables, no change to existing ones (so SQLite rebuilds nothing, see 0004). The deployment's
row is not created here: a migration runs once per template database and copies of it would share
one id; `certs migrate` and the first server to start create it (`events.deployment`).
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.live import LiveEventKind


class Migration(migrations.Migration):
    dependencies = [("models", "0006_limits_audit")]

    initial = False

    operations = [
        ops.CreateModel(
            name="LiveEvent",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("kind", fields.CharEnumField(enum_type=LiveEventKind, max_length=20)),
                ("subject_id", fields.IntField()),
                ("company_id", fields.IntField(null=True)),
                ("change_id", fields.IntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True, db_index=True)),
            ],
            options={
                "table": "event_outbox",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One committed change to announce. `subject_id` is the request, certificate or user.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Deployment",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("deployment_id", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "deployment",
                "app": "models",
                "pk_attr": "id",
                "table_description": "The random id of this deployment, naming its Redis channels.",
            },
            bases=["Model"],
        ),
    ]
