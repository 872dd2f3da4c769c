"""How a company hears about its certificate's expiry: stages, channel, extra recipients."""

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from models.reminder_settings import ReminderRecipient as RecipientRow
from schema.core.node import to_global_id
from schema.reminders.enums import ReminderChannel

if TYPE_CHECKING:
    from services.reminder_settings import CompanyReminders


@strawberry.type(description="Someone besides the principal contact who gets the reminders.")
class ReminderRecipient:
    row: strawberry.Private[RecipientRow]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("ReminderRecipient", self.row.id)

    @strawberry.field(description="The address.")
    def email(self) -> str:
        return self.row.email

    @strawberry.field(description="A name for people; may be empty.")
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="False until the recipient follows the emailed link.")
    def confirmed(self) -> bool:
        return self.row.confirmed_at is not None

    @strawberry.field(description="When the recipient confirmed.")
    def confirmed_at(self) -> datetime | None:
        return self.row.confirmed_at


@strawberry.type(description="How a company hears about its certificate's expiry.")
class ReminderSettings:
    company_id: strawberry.ID = strawberry.field(description="The company.")
    days_before: list[int] = strawberry.field(
        description="Days before expiry at which a reminder goes out, furthest first."
    )
    after_expiry: bool = strawberry.field(description="Whether one goes out after expiry.")
    channel: ReminderChannel = strawberry.field(description="Email, webhook or both.")
    is_default: bool = strawberry.field(
        description="True while the company follows the server's defaults."
    )
    recipients: list[ReminderRecipient] = strawberry.field(
        description="Extra recipients; only confirmed ones get the emails."
    )

    @classmethod
    def from_data(cls, data: "CompanyReminders") -> "ReminderSettings":
        return cls(
            company_id=to_global_id("Company", data.company_id),
            days_before=list(data.plan.days_before),
            after_expiry=data.plan.after_expiry,
            channel=data.plan.channel,
            is_default=data.is_default,
            recipients=[ReminderRecipient(row=row) for row in data.recipients],
        )
