from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_request_queue_index'), ('models', '0010_persisted_documents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersistedDocumentId',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alias', fields.CharField(unique=True, max_length=200)),
                ('document', fields.ForeignKeyField('models.PersistedDocument', source_field='document_id', db_constraint=True, to_field='id', related_name='aliases', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'persisted_document_ids', 'app': 'models', 'pk_attr': 'id', 'table_description': "Another id a client may send for a registered document (`documentId`, Relay's `doc_id`):"},
            bases=['Model'],
        ),
    ]
