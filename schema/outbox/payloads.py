"""The outbox's mutation payload: the result, or `errors` saying why not (never both)."""

import strawberry

from schema.core.errors import UserError
from schema.outbox.types import OutboxEmail


@strawberry.type
class RetryOutboxEmailPayload:
    email: OutboxEmail | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
