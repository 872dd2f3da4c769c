"""The operator's outbox: list and retry (ADMIN only)."""

from models.outbox import OutboxEmail, OutboxStatus
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.outbox_admin import list_outbox, retry_email
from services.principal import require_principal


async def outbox_emails(
    info: AppInfo, *, status: OutboxStatus | None, first: int
) -> list[OutboxEmail]:
    """The newest emails first; filter by status to see what is waiting or failed."""
    caller = require_principal(info.context.principal)
    return await list_outbox(caller.role, status=status, first=first)


async def retry_outbox_email(info: AppInfo, *, email_id: str) -> OutboxEmail:
    """Puts a failed (or waiting) email back in line now."""
    caller = require_principal(info.context.principal)
    pk = decode_id(email_id, "OutboxEmail", field="emailId", what="el correo")
    row = await retry_email(caller.role, pk, info.context.deps.clock.now(), caller)
    info.context.deps.wake_outbox()
    return row
