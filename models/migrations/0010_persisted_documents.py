from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_webhooks_reminders')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersistedDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'persisted_documents', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One registered GraphQL document, known by the sha256 of its exact text in hex.'},
            bases=['Model'],
        ),
    ]
