"""The company's reminder settings, and the server's defaults they start from."""

from domain.reminder_settings import ReminderPlan
from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from services.reminder_settings import CompanyReminders, get_reminders


def defaults(info: AppInfo) -> ReminderPlan:
    """What a company that changed nothing gets: REMINDER_DAYS, after expiry, REMINDER_CHANNEL."""
    deps = info.context.deps
    return ReminderPlan(
        days_before=deps.reminder_days, after_expiry=True, channel=deps.reminder_channel
    )


def company(raw: str | None) -> int | None:
    return decode_optional_id(raw, "Company", field="companyId", what="la empresa")


async def reminder_settings(info: AppInfo, company_id: str | None) -> CompanyReminders:
    """The company's reminder settings (the server's defaults until it changes them)."""
    return await get_reminders(info.context.principal, company(company_id), defaults(info))
