from tortoise import migrations
from tortoise.migrations import operations as ops
from models.outbox import EmailKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_outbox')]

    initial = False

    operations = [
        # First, while no table refers to outbox_emails yet: on SQLite Tortoise applies this
        # (a new enum value in the column comment) by rebuilding the table, which drops its
        # indexes; they are created again below. On PostgreSQL it only changes the comment.
        ops.AlterField(
            model_name='OutboxEmail',
            name='kind',
            field=fields.CharEnumField(description='REQUEST_RECEIVED: REQUEST_RECEIVED\nREQUEST_REJECTED: REQUEST_REJECTED\nREQUEST_APPROVED: REQUEST_APPROVED\nCERTIFICATE_STATE_CHANGED: CERTIFICATE_STATE_CHANGED\nCERTIFICATE_RENEWAL_OPEN: CERTIFICATE_RENEWAL_OPEN\nCERTIFICATE_EXPIRY_REMINDER: CERTIFICATE_EXPIRY_REMINDER\nCERTIFICATE_EXPIRED: CERTIFICATE_EXPIRED', enum_type=EmailKind, max_length=40),
        ),
        ops.RunSQL(
            [
                'CREATE INDEX IF NOT EXISTS "idx_outbox_emai_status_e873c8" ON "outbox_emails" ("status")',
                'CREATE INDEX IF NOT EXISTS "idx_outbox_emai_next_at_7766bb" ON "outbox_emails" ("next_attempt_at")',
            ],
            reverse_sql=ops.RunSQL.noop,
        ),
        ops.CreateModel(
            name='CertificateReminder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('certificate', fields.ForeignKeyField('models.Certificate', source_field='certificate_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('stage', fields.CharField(max_length=40)),
                ('queued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('email', fields.ForeignKeyField('models.OutboxEmail', source_field='email_id', null=True, db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'certificate_reminders', 'app': 'models', 'unique_together': (('certificate', 'stage'),), 'pk_attr': 'id', 'table_description': 'One stage of the expiry timeline emailed for a certificate, and when it was queued.'},
            bases=['Model'],
        ),
    ]
