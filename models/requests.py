"""Certificate requests ("solicitudes"), their documents and their status history."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from domain.enums import (
    DocumentKind,
    IdentityDocumentType,
    RequestKind,
    RequestStatus,
    Role,
)

if TYPE_CHECKING:
    from models.certificates import Certificate
    from models.companies import Company
    from models.users import User


class CertificateRequest(Model):
    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyRelation["Company"] = fields.ForeignKeyField(
        "models.Company", related_name="requests", on_delete=fields.RESTRICT
    )
    company_id: int
    kind = fields.CharEnumField(RequestKind, max_length=10)
    status = fields.CharEnumField(RequestStatus, max_length=20, db_index=True)
    attempt = fields.IntField(default=1)
    legal_representative_name = fields.CharField(max_length=200)
    legal_representative_id_type = fields.CharEnumField(IdentityDocumentType, max_length=10)
    legal_representative_id_number = fields.CharField(max_length=20)
    validity_starts_on = fields.DateField()
    renewal_of: fields.ForeignKeyNullableRelation["Certificate"] = fields.ForeignKeyField(
        "models.Certificate", related_name="renewal_requests", null=True, on_delete=fields.RESTRICT
    )
    renewal_of_id: int | None
    submitted_at = fields.DatetimeField(db_index=True)
    decided_at = fields.DatetimeField(null=True)
    observations: str | None = fields.TextField(null=True)
    submitted_by: fields.ForeignKeyRelation["User"] = fields.ForeignKeyField(
        "models.User", related_name="submitted_requests", on_delete=fields.RESTRICT
    )
    submitted_by_id: int
    idempotency_key = fields.CharField(max_length=100, null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "certificate_requests"
        unique_together = (("company", "idempotency_key"),)


class RequestDocument(Model):
    """One attached file. A resubmission supersedes the documents it replaces, which stay for history."""

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation["CertificateRequest"] = fields.ForeignKeyField(
        "models.CertificateRequest", related_name="documents", on_delete=fields.CASCADE
    )
    request_id: int
    kind = fields.CharEnumField(DocumentKind, max_length=40)
    file_name = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=100)
    size_bytes = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    uploaded_at = fields.DatetimeField()
    issued_on = fields.DateField(null=True)
    observation = fields.TextField(null=True)
    attempt = fields.IntField()  # the attempt of the request this file was attached in
    superseded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "request_documents"


class RequestStatusChange(Model):
    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation["CertificateRequest"] = fields.ForeignKeyField(
        "models.CertificateRequest", related_name="history", on_delete=fields.CASCADE
    )
    request_id: int
    from_status = fields.CharEnumField(RequestStatus, max_length=20, null=True)
    to_status = fields.CharEnumField(RequestStatus, max_length=20)
    at = fields.DatetimeField()
    actor: fields.ForeignKeyNullableRelation["User"] = fields.ForeignKeyField(
        "models.User", related_name="request_changes", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    actor_name = fields.CharField(max_length=200)
    actor_role = fields.CharEnumField(Role, max_length=20)
    note = fields.TextField(null=True)

    class Meta:
        table = "request_status_changes"
