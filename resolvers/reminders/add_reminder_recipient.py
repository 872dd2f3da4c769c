from models.reminder_settings import ReminderRecipient
from resolvers.context import AppInfo
from resolvers.reminders.queries import company
from services.reminder_settings import add_recipient


async def resolve(
    info: AppInfo, *, company_id: str | None, email: str, name: str | None
) -> ReminderRecipient:
    """Adds an extra recipient and emails them the link that confirms the address."""
    row = await add_recipient(
        info.context.principal,
        company(company_id),
        email=email,
        name=name,
        now=info.context.deps.clock.now(),
        mail=info.context.deps.mail,
    )
    info.context.deps.wake_outbox()
    return row
