"""The caller: `viewer` answers who am I and for which company."""

import strawberry

from models import Company as CompanyRow
from models import User as UserRow
from schema.companies import Company
from schema.context import AppInfo
from schema.enums import Role
from schema.node import Node, to_global_id


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
    async def company(self, info: AppInfo) -> Company | None:
        if self.row.company_id is None:
            return None
        row = await info.context.loaders.company.load(self.row.company_id)
        return Company.from_row(row) if row else None


@strawberry.type(description="Who is calling, and the company they belong to (none for staff).")
class Viewer:
    user: User
    company: Company | None

    @classmethod
    def of(cls, user: UserRow, company: CompanyRow | None) -> "Viewer":
        return cls(user=User.from_row(user), company=Company.from_row(company) if company else None)
