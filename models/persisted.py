"""Trusted documents: the operations a known front end may run when PERSISTED_QUERIES=only,
registered ahead of time with `certs documents add FILE` and identified by their SHA-256."""

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
