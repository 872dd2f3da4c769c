"""The operator's view of the email outbox: what was sent, what is waiting, what failed and why."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.outbox import EmailKind, OutboxStatus
from models.outbox import OutboxEmail as OutboxRow
from resolvers import rows
from resolvers.context import AppInfo
from schema.core.lazy import DomainType
from schema.core.node import to_global_id

if TYPE_CHECKING:
    from schema.companies.types import Company

CompanyRef = Annotated["Company", strawberry.lazy("schema.companies.types")]
_Company = DomainType("schema.companies.types", "Company")

strawberry.enum(OutboxStatus, name="OutboxEmailStatus")
strawberry.enum(EmailKind, name="EmailKind")


@strawberry.type(
    description="An email to a principal contact, as the outbox keeps it. Operators only."
)
class OutboxEmail:
    row: strawberry.Private[OutboxRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_global_id("OutboxEmail", self.row.id)

    @strawberry.field
    def kind(self) -> EmailKind:
        return self.row.kind

    @strawberry.field
    def status(self) -> OutboxStatus:
        return self.row.status

    @strawberry.field
    async def company(self, info: AppInfo) -> CompanyRef | None:
        row = await rows.optional_company(info, self.row.company_id)
        return _Company.from_row(row) if row else None

    @strawberry.field
    def to_name(self) -> str:
        return self.row.to_name

    @strawberry.field
    def to_email(self) -> str:
        return self.row.to_email

    @strawberry.field
    def subject(self) -> str:
        return self.row.subject

    @strawberry.field
    def message_id(self) -> str:
        return self.row.message_id

    @strawberry.field(description="Delivery attempts the mail server answered.")
    def attempts(self) -> int:
        return self.row.attempts

    @strawberry.field(description="The mail server's last answer when it failed.")
    def last_error(self) -> str | None:
        return self.row.last_error

    @strawberry.field
    def last_attempt_at(self) -> datetime | None:
        return self.row.last_attempt_at

    @strawberry.field
    def next_attempt_at(self) -> datetime | None:
        return self.row.next_attempt_at

    @strawberry.field
    def sent_at(self) -> datetime | None:
        return self.row.sent_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.row.created_at
