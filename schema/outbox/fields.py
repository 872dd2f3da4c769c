"""The outbox's part of the root types: the operator's list and retry."""

import strawberry

from models.outbox import OutboxStatus
from resolvers.context import AppInfo
from resolvers.outbox import queries
from schema.core.guard import or_public_error, payload_or_errors
from schema.outbox.inputs import RetryOutboxEmailInput
from schema.outbox.payloads import RetryOutboxEmailPayload
from schema.outbox.types import OutboxEmail


async def resolve_outbox_emails(
    info: AppInfo, status: OutboxStatus | None = None, first: int = 50
) -> list[OutboxEmail]:
    """The newest emails first; filter by status to see what is waiting or failed."""
    found = await or_public_error(queries.outbox_emails(info, status=status, first=first))
    return [OutboxEmail(row=row) for row in found]


async def resolve_retry_outbox_email(
    info: AppInfo, input: RetryOutboxEmailInput
) -> RetryOutboxEmailPayload:
    """Puts a failed (or waiting) email back in line now."""

    async def run() -> RetryOutboxEmailPayload:
        row = await queries.retry_outbox_email(info, email_id=input.email_id)
        return RetryOutboxEmailPayload(email=OutboxEmail(row=row))

    return await payload_or_errors(info, run, RetryOutboxEmailPayload)


outbox_emails = strawberry.field(
    resolver=resolve_outbox_emails, description="Operators: the email outbox."
)
retry = strawberry.mutation(
    resolver=resolve_retry_outbox_email, description="Operators: send a failed email again."
)
