"""Reminder settings per company: read and change them, add and remove extra recipients."""

from typing import Annotated

import strawberry

from domain.reminder_settings import ReminderPlan
from resolvers.guard import or_public_error, payload_or_errors
from schema.context import AppInfo
from schema.node import decode_id, decode_optional_id, to_global_id
from schema.reminder_settings import (
    AddReminderRecipientInput,
    AddReminderRecipientPayload,
    ReminderRecipient,
    ReminderSettings,
    RemoveReminderRecipientInput,
    RemoveReminderRecipientPayload,
    UpdateReminderSettingsInput,
    UpdateReminderSettingsPayload,
)
from services import reminder_settings


def _defaults(info: AppInfo) -> ReminderPlan:
    deps = info.context.deps
    return ReminderPlan(
        days_before=deps.reminder_days, after_expiry=True, channel=deps.reminder_channel
    )


def _company(raw: strawberry.ID | None) -> int | None:
    return decode_optional_id(raw, "Company", field="companyId", what="la empresa")


async def reminder_settings_of(
    info: AppInfo,
    company_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="Operators: the company. Company users: omit."),
    ] = None,
) -> ReminderSettings:
    """The company's reminder settings (the server's defaults until it changes them)."""

    async def load() -> ReminderSettings:
        data = await reminder_settings.get_reminders(
            info.context.principal, _company(company_id), _defaults(info)
        )
        return ReminderSettings.from_data(data)

    return await or_public_error(load())


async def update_reminder_settings(
    info: AppInfo, input: UpdateReminderSettingsInput
) -> UpdateReminderSettingsPayload:
    """Changes the stages, the reminder after expiry or the channel."""

    async def run() -> UpdateReminderSettingsPayload:
        data = await reminder_settings.update_reminders(
            info.context.principal,
            _company(input.company_id),
            _defaults(info),
            days_before=input.days_before,
            after_expiry=input.after_expiry,
            channel=input.channel,
            now=info.context.deps.clock.now(),
        )
        return UpdateReminderSettingsPayload(settings=ReminderSettings.from_data(data))

    return await payload_or_errors(info, run, UpdateReminderSettingsPayload)


async def add_reminder_recipient(
    info: AppInfo, input: AddReminderRecipientInput
) -> AddReminderRecipientPayload:
    """Adds an extra recipient and emails them the link that confirms the address."""

    async def run() -> AddReminderRecipientPayload:
        row = await reminder_settings.add_recipient(
            info.context.principal,
            _company(input.company_id),
            email=input.email,
            name=input.name,
            now=info.context.deps.clock.now(),
        )
        info.context.deps.wake_outbox()
        return AddReminderRecipientPayload(recipient=ReminderRecipient(row=row))

    return await payload_or_errors(info, run, AddReminderRecipientPayload)


async def remove_reminder_recipient(
    info: AppInfo, input: RemoveReminderRecipientInput
) -> RemoveReminderRecipientPayload:
    """Removes an extra recipient."""

    async def run() -> RemoveReminderRecipientPayload:
        pk = decode_id(
            input.recipient_id, "ReminderRecipient", field="recipientId", what="el destinatario"
        )
        removed = await reminder_settings.remove_recipient(info.context.principal, pk)
        return RemoveReminderRecipientPayload(
            removed_recipient_id=to_global_id("ReminderRecipient", removed)
        )

    return await payload_or_errors(info, run, RemoveReminderRecipientPayload)
