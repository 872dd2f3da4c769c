"""The inputs of the reminder settings' mutations."""

import strawberry

from schema.reminders.enums import ReminderChannel


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


@strawberry.input(description="An extra recipient; they confirm through an emailed link.")
class AddReminderRecipientInput:
    email: str = strawberry.field(description="The address.")
    name: str | None = strawberry.field(default=None, description="A name for people.")
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Operators: the company. Company users: omit."
    )


@strawberry.input(description="Stop sending reminders to an extra recipient.")
class RemoveReminderRecipientInput:
    recipient_id: strawberry.ID = strawberry.field(description="The recipient.")
