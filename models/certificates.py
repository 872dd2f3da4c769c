"""Issued certificates and their status history."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from domain.enums import CertificateStatus, Role

if TYPE_CHECKING:
    from models.companies import Company
    from models.requests import CertificateRequest
    from models.users import User


class Certificate(Model):
    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyRelation["Company"] = fields.ForeignKeyField(
        "models.Company", related_name="certificates", on_delete=fields.RESTRICT
    )
    company_id: int
    request: fields.OneToOneRelation["CertificateRequest"] = fields.OneToOneField(
        "models.CertificateRequest", related_name="certificate", on_delete=fields.RESTRICT
    )
    request_id: int
    serial_number = fields.CharField(max_length=100)
    issuer = fields.CharField(max_length=100)
    status = fields.CharEnumField(CertificateStatus, max_length=20, db_index=True)
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField(db_index=True)
    replaced_by: fields.ForeignKeyNullableRelation["Certificate"] = fields.ForeignKeyField(
        "models.Certificate", related_name="replaces", null=True, on_delete=fields.SET_NULL
    )
    replaced_by_id: int | None
    # The validFrom of the renewal that replaces this certificate: from then on it is INACTIVE
    # and can never be made ACTIVE again (null while no renewal was approved).
    superseded_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "certificates"
        unique_together = (("issuer", "serial_number"),)
        # Also: at most one ACTIVE certificate per company, a partial unique index
        # (`uq_certificates_one_active_per_company`, migration 0005_request_rules).


class CertificateStatusChange(Model):
    id = fields.IntField(primary_key=True)
    certificate: fields.ForeignKeyRelation["Certificate"] = fields.ForeignKeyField(
        "models.Certificate", related_name="history", on_delete=fields.CASCADE
    )
    certificate_id: int
    from_status = fields.CharEnumField(CertificateStatus, max_length=20, null=True)
    to_status = fields.CharEnumField(CertificateStatus, max_length=20)
    at = fields.DatetimeField()
    actor: fields.ForeignKeyNullableRelation["User"] = fields.ForeignKeyField(
        "models.User", related_name="certificate_changes", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    actor_name = fields.CharField(max_length=200, null=True)
    actor_role = fields.CharEnumField(Role, max_length=20, null=True)
    note = fields.TextField(null=True)

    class Meta:
        table = "certificate_status_changes"
