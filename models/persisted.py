"""Trusted documents: the operations a known front end may run when PERSISTED_QUERIES=only,
registered ahead of time with `certs documents add FILE` and identified by their SHA-256, and by
the other ids their manifests gave them (relay-compiler's MD5, a SHA-1, a custom id)."""

from tortoise import fields
from tortoise.models import Model


class PersistedDocument(Model):
    """One registered GraphQL document, known by the sha256 of its exact text in hex."""

    id = fields.IntField(primary_key=True)
    sha256 = fields.CharField(max_length=64, unique=True)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "persisted_documents"


class PersistedDocumentId(Model):
    """Another id a client may send for a registered document (`documentId`, Relay's `doc_id`):
    the one its manifest gave it when that is not its sha256. One id names one document."""

    id = fields.IntField(primary_key=True)
    alias = fields.CharField(max_length=200, unique=True)
    document: fields.ForeignKeyRelation[PersistedDocument] = fields.ForeignKeyField(
        "models.PersistedDocument", related_name="aliases", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "persisted_document_ids"
