"""The operator's outbox: list and retry (ADMIN only)."""

from models.outbox import OutboxStatus
from resolvers.guard import or_public_error, payload_or_errors
from schema.context import AppInfo
from schema.node import decode_id
from schema.outbox import OutboxEmail, RetryOutboxEmailInput, RetryOutboxEmailPayload
from services.outbox_admin import list_outbox, retry_email
from services.principal import require_principal


async def outbox_emails(
    info: AppInfo, status: OutboxStatus | None = None, first: int = 50
) -> list[OutboxEmail]:
    """The newest emails first; filter by status to see what is waiting or failed."""

    async def load() -> list[OutboxEmail]:
        caller = require_principal(info.context.principal)
        rows = await list_outbox(caller.role, status=status, first=first)
        return [OutboxEmail(row=row) for row in rows]

    return await or_public_error(load())


async def retry_outbox_email(
    info: AppInfo, input: RetryOutboxEmailInput
) -> RetryOutboxEmailPayload:
    """Puts a failed (or waiting) email back in line now."""

    async def run() -> RetryOutboxEmailPayload:
        caller = require_principal(info.context.principal)
        email_id = decode_id(input.email_id, "OutboxEmail", field="emailId", what="el correo")
        row = await retry_email(caller.role, email_id, info.context.deps.clock.now(), caller)
        info.context.deps.wake_outbox()
        return RetryOutboxEmailPayload(email=OutboxEmail(row=row))

    return await payload_or_errors(info, run, RetryOutboxEmailPayload)
