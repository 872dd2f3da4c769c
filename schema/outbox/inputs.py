"""The input of the outbox's mutation."""

import strawberry


@strawberry.input
class RetryOutboxEmailInput:
    email_id: strawberry.ID
