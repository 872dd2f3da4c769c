"""Webhooks (endpoints, events, one delivery per event and endpoint), reminder settings per
company with their extra recipients, and two email kinds: the operator's email about an endpoint
disabled after repeated failures, and the confirmation link sent to an extra recipient.

The new email kinds change only the `kind` column's comment. Tortoise's SQLite migrator applies
any AlterField by rebuilding the table, which drops its indexes and, with `certificate_reminders`
now referring to `outbox_emails`, would null those references (ON DELETE SET NULL) as the old
table is dropped. SQLite keeps no column comments, so there the alteration is skipped; PostgreSQL
updates the comment. The description lists every kind of `EmailKind` (0005's two included), as
0005 does, so the migration state matches the model whatever order the kinds were added in.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.outbox import EmailKind
from models.webhooks import WebhookDeliveryStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from typing import Any
from domain.reminder_settings import ReminderChannel


def _enum_description(enum_type: Any) -> str:
    return "\n".join(f"{member.name}: {member.value}" for member in enum_type)


class CommentOnlyAlterField(ops.AlterField):
    """An AlterField whose only change is the column comment: nothing to do on SQLite."""

    async def database_forward(self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None) -> None:
        if state_editor is None or getattr(state_editor, "DIALECT", "") == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None) -> None:
        if state_editor is None or getattr(state_editor, "DIALECT", "") == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0007_event_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CompanyReminderSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.OneToOneField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='reminder_settings', on_delete=OnDelete.CASCADE)),
                ('days_before', fields.CharField(max_length=100)),
                ('after_expiry', fields.BooleanField(default=True)),
                ('channel', fields.CharEnumField(description='EMAIL: EMAIL\nWEBHOOK: WEBHOOK\nBOTH: BOTH', enum_type=ReminderChannel, max_length=10)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'company_reminder_settings', 'app': 'models', 'pk_attr': 'id', 'table_description': 'How a company wants to hear about expiry, when it chose differently from the defaults.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReminderRecipient',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='reminder_recipients', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('name', fields.CharField(default='', max_length=200)),
                ('token_sha256', fields.CharField(unique=True, max_length=64)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reminder_recipients', 'app': 'models', 'unique_together': (('company', 'email'),), 'pk_attr': 'id', 'table_description': 'Someone besides the principal contact who gets the reminders, once confirmed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='webhook_endpoints', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=2000)),
                ('description', fields.CharField(default='', max_length=200)),
                ('event_types', fields.CharField(max_length=1000)),
                ('secret', fields.CharField(max_length=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('consecutive_failures', fields.IntField(default=0)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('disabled_reason', fields.CharField(null=True, max_length=300)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='webhook_endpoints', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_endpoints', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A URL that receives events. `company` NULL: an endpoint of the operators, for every company.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=40)),
                ('event_key', fields.CharField(unique=True, max_length=200)),
                ('type', fields.CharField(max_length=60)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='webhook_events', on_delete=OnDelete.CASCADE)),
                ('ordering_key', fields.CharField(max_length=60)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_events', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Something that happened, as every endpoint receives it (`body` is the JSON sent).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.WebhookEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.ForeignKeyField('models.WebhookEndpoint', source_field='endpoint_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('ordering_key', fields.CharField(db_index=True, max_length=60)),
                ('status', fields.CharEnumField(default=WebhookDeliveryStatus.PENDING, db_index=True, description='PENDING: PENDING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=WebhookDeliveryStatus, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('first_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_status_code', fields.IntField(null=True)),
                ('last_response', fields.TextField(null=True, unique=False)),
                ('last_latency_ms', fields.IntField(null=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_deliveries', 'app': 'models', 'unique_together': (('event', 'endpoint'),), 'pk_attr': 'id', 'table_description': 'One event for one endpoint, and how its attempts went.'},
            bases=['Model'],
        ),
        CommentOnlyAlterField(
            model_name='OutboxEmail',
            name='kind',
            field=fields.CharEnumField(description=_enum_description(EmailKind), enum_type=EmailKind, max_length=40),
        ),
    ]
