from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.reminder_settings import remove_recipient


async def resolve(info: AppInfo, *, recipient_id: str) -> int:
    """Removes an extra recipient; returns the id of the row removed."""
    pk = decode_id(recipient_id, "ReminderRecipient", field="recipientId", what="el destinatario")
    return await remove_recipient(info.context.principal, pk, now=info.context.deps.clock.now())
