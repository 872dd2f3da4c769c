"""The reminder settings' mutation payloads: the result, or `errors` saying why not (never both)."""

import strawberry

from schema.core.errors import UserError
from schema.reminders.types import ReminderRecipient, ReminderSettings


@strawberry.type(description="The settings as they are now.")
class UpdateReminderSettingsPayload:
    settings: ReminderSettings | None = strawberry.field(default=None, description="Settings.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")


@strawberry.type(description="The recipient, waiting for confirmation.")
class AddReminderRecipientPayload:
    recipient: ReminderRecipient | None = strawberry.field(default=None, description="It.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")


@strawberry.type(description="The id of the recipient removed.")
class RemoveReminderRecipientPayload:
    removed_recipient_id: strawberry.ID | None = strawberry.field(
        default=None, description="Its id."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")
