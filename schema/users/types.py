"""The caller: `viewer` answers who am I and for which company."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from models import Company as CompanyRow
from models import User as UserRow
from resolvers import rows
from resolvers.context import AppInfo
from schema.core.enums import Role
from schema.core.lazy import DomainType
from schema.core.node import Node, to_global_id

if TYPE_CHECKING:
    from schema.companies.types import Company

CompanyRef = Annotated["Company", strawberry.lazy("schema.companies.types")]
_Company = DomainType("schema.companies.types", "Company")


@strawberry.type(description="A person who calls the API.")
class User(Node):
    row: strawberry.Private[UserRow]

    @classmethod
    def from_row(cls, row: UserRow) -> "User":
        return cls(id=to_global_id("User", row.id), row=row)

    @strawberry.field
    def email(self) -> str:
        return self.row.email

    @strawberry.field
    def name(self) -> str:
        return self.row.name

    @strawberry.field
    def role(self) -> Role:
        return self.row.role

    @strawberry.field
    async def company(self, info: AppInfo) -> CompanyRef | None:
        row = await rows.optional_company(info, self.row.company_id)
        return _Company.from_row(row) if row else None


@strawberry.type(description="Who is calling, and the company they belong to (none for staff).")
class Viewer:
    user: User
    company: CompanyRef | None

    @classmethod
    def of(cls, user: UserRow, company: CompanyRow | None) -> "Viewer":
        return cls(
            user=User.from_row(user), company=_Company.from_row(company) if company else None
        )
