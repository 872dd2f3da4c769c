"""Reminder settings per company, as API types."""

from datetime import datetime

import strawberry

from domain.reminder_settings import ReminderChannel
from models.reminder_settings import ReminderRecipient as RecipientRow
from schema.errors import UserError
from schema.node import to_global_id
from services.reminder_settings import CompanyReminders

strawberry.enum(
    ReminderChannel,
    name="ReminderChannel",
    description="How expiry reminders reach the company: EMAIL, WEBHOOK (the certificate."
    "renewal_open and certificate.reminder events) or BOTH.",
)


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
    def from_data(cls, data: CompanyReminders) -> "ReminderSettings":
        return cls(
            company_id=to_global_id("Company", data.company_id),
            days_before=list(data.plan.days_before),
            after_expiry=data.plan.after_expiry,
            channel=data.plan.channel,
            is_default=data.is_default,
            recipients=[ReminderRecipient(row=row) for row in data.recipients],
        )


@strawberry.input(description="What to change; what is left out keeps its value.")
class UpdateReminderSettingsInput:
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Operators: the company. Company users: omit."
    )
    days_before: list[int] | None = strawberry.field(
        default=None, description="1 to 366, at most 10; empty: no reminders before expiry."
    )
    after_expiry: bool | None = strawberry.field(
        default=None, description="Whether to send one after expiry."
    )
    channel: ReminderChannel | None = strawberry.field(default=None, description="The channel.")


@strawberry.type(description="The settings as they are now.")
class UpdateReminderSettingsPayload:
    settings: ReminderSettings | None = strawberry.field(default=None, description="Settings.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")


@strawberry.input(description="An extra recipient; they confirm through an emailed link.")
class AddReminderRecipientInput:
    email: str = strawberry.field(description="The address.")
    name: str | None = strawberry.field(default=None, description="A name for people.")
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Operators: the company. Company users: omit."
    )


@strawberry.type(description="The recipient, waiting for confirmation.")
class AddReminderRecipientPayload:
    recipient: ReminderRecipient | None = strawberry.field(default=None, description="It.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")


@strawberry.input(description="Stop sending reminders to an extra recipient.")
class RemoveReminderRecipientInput:
    recipient_id: strawberry.ID = strawberry.field(description="The recipient.")


@strawberry.type(description="The id of the recipient removed.")
class RemoveReminderRecipientPayload:
    removed_recipient_id: strawberry.ID | None = strawberry.field(
        default=None, description="Its id."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")
