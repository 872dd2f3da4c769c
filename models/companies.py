"""A company that issues electronic invoices, and its principal contact."""

from tortoise import fields
from tortoise.models import Model

from domain.enums import PersonType


class Company(Model):
    id = fields.IntField(primary_key=True)
    nit_base = fields.CharField(max_length=15, unique=True)
    nit_check_digit = fields.SmallIntField()
    legal_name = fields.CharField(max_length=200)
    person_type = fields.CharEnumField(PersonType, max_length=20)
    contact_name = fields.CharField(max_length=200)
    contact_email = fields.CharField(max_length=254)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "companies"

    @property
    def nit(self) -> str:
        return f"{self.nit_base}-{self.nit_check_digit}"
