"""The webhooks' mutation payloads: the result, or `errors` saying why not (never both)."""

import strawberry

from schema.core.errors import UserError
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint


@strawberry.type(description="The endpoint registered, and its secret, shown only this once.")
class RegisterWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="The endpoint.")
    secret: str | None = strawberry.field(
        default=None,
        description="Signs every request (`whsec_…`); keep it: it is never shown again.",
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was registered."
    )


@strawberry.type(description="The endpoint as it is now.")
class SetWebhookEndpointEnabledPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="The endpoint.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")


@strawberry.type(description="The delivery, back in line.")
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None = strawberry.field(default=None, description="The delivery.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")
