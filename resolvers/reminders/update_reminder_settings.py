from collections.abc import Sequence

from domain.reminder_settings import ReminderChannel
from resolvers.context import AppInfo
from resolvers.reminders.queries import company, defaults
from services.reminder_settings import CompanyReminders, update_reminders


async def resolve(
    info: AppInfo,
    *,
    company_id: str | None,
    days_before: Sequence[int] | None,
    after_expiry: bool | None,
    channel: ReminderChannel | None,
) -> CompanyReminders:
    """Changes the stages, the reminder after expiry or the channel."""
    return await update_reminders(
        info.context.principal,
        company(company_id),
        defaults(info),
        days_before=days_before,
        after_expiry=after_expiry,
        channel=channel,
        now=info.context.deps.clock.now(),
    )
