"""The reminder settings' part of the root types: read them, change them, extra recipients."""

from typing import Annotated

import strawberry

from resolvers.context import AppInfo
from resolvers.reminders import (
    add_reminder_recipient,
    queries,
    remove_reminder_recipient,
    update_reminder_settings,
)
from schema.core.guard import or_public_error, payload_or_errors
from schema.core.node import to_global_id
from schema.reminders.inputs import (
    AddReminderRecipientInput,
    RemoveReminderRecipientInput,
    UpdateReminderSettingsInput,
)
from schema.reminders.payloads import (
    AddReminderRecipientPayload,
    RemoveReminderRecipientPayload,
    UpdateReminderSettingsPayload,
)
from schema.reminders.types import ReminderRecipient, ReminderSettings


async def resolve_reminder_settings(
    info: AppInfo,
    company_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="Operators: the company. Company users: omit."),
    ] = None,
) -> ReminderSettings:
    """The company's reminder settings (the server's defaults until it changes them)."""
    data = await or_public_error(queries.reminder_settings(info, company_id))
    return ReminderSettings.from_data(data)


async def resolve_update_reminder_settings(
    info: AppInfo, input: UpdateReminderSettingsInput
) -> UpdateReminderSettingsPayload:
    """Changes the stages, the reminder after expiry or the channel."""

    async def run() -> UpdateReminderSettingsPayload:
        data = await update_reminder_settings.resolve(
            info,
            company_id=input.company_id,
            days_before=input.days_before,
            after_expiry=input.after_expiry,
            channel=input.channel,
        )
        return UpdateReminderSettingsPayload(settings=ReminderSettings.from_data(data))

    return await payload_or_errors(info, run, UpdateReminderSettingsPayload)


async def resolve_add_reminder_recipient(
    info: AppInfo, input: AddReminderRecipientInput
) -> AddReminderRecipientPayload:
    """Adds an extra recipient and emails them the link that confirms the address."""

    async def run() -> AddReminderRecipientPayload:
        row = await add_reminder_recipient.resolve(
            info, company_id=input.company_id, email=input.email, name=input.name
        )
        return AddReminderRecipientPayload(recipient=ReminderRecipient(row=row))

    return await payload_or_errors(info, run, AddReminderRecipientPayload)


async def resolve_remove_reminder_recipient(
    info: AppInfo, input: RemoveReminderRecipientInput
) -> RemoveReminderRecipientPayload:
    """Removes an extra recipient."""

    async def run() -> RemoveReminderRecipientPayload:
        removed = await remove_reminder_recipient.resolve(info, recipient_id=input.recipient_id)
        return RemoveReminderRecipientPayload(
            removed_recipient_id=to_global_id("ReminderRecipient", removed)
        )

    return await payload_or_errors(info, run, RemoveReminderRecipientPayload)


reminder_settings = strawberry.field(
    resolver=resolve_reminder_settings,
    description="How the company hears about expiry. companyId: operators.",
)
update = strawberry.mutation(
    resolver=resolve_update_reminder_settings,
    description="Changes the company's reminder stages or channel.",
)
add_recipient = strawberry.mutation(
    resolver=resolve_add_reminder_recipient,
    description="Adds an extra reminder recipient; they confirm through an emailed link.",
)
remove_recipient = strawberry.mutation(
    resolver=resolve_remove_reminder_recipient,
    description="Removes an extra reminder recipient.",
)
