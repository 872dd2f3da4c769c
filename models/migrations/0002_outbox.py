from tortoise import migrations
from tortoise.migrations import operations as ops
from models.outbox import EmailKind, OutboxStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboxEmail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_key', fields.CharField(unique=True, max_length=200)),
                ('kind', fields.CharEnumField(description='REQUEST_RECEIVED: REQUEST_RECEIVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_APPROVED: REQUEST_APPROVED\nCERTIFICATE_STATE_CHANGED: CERTIFICATE_STATE_CHANGED', enum_type=EmailKind, max_length=40)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='outbox_emails', on_delete=OnDelete.RESTRICT)),
                ('mail_from', fields.CharField(max_length=320)),
                ('to_name', fields.CharField(max_length=200)),
                ('to_email', fields.CharField(max_length=254)),
                ('message_id', fields.CharField(unique=True, max_length=255)),
                ('subject', fields.CharField(max_length=300)),
                ('body_text', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=OutboxStatus.PENDING, db_index=True, description='PENDING: PENDING\nSENT: SENT\nFAILED: FAILED', enum_type=OutboxStatus, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_emails', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One email to send. The event key is unique so an event is never queued twice.'},
            bases=['Model'],
        ),
    ]
