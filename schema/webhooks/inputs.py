"""The inputs of the webhooks' mutations."""

import strawberry

from schema.webhooks.enums import WebhookEventType


@strawberry.input(description="A new webhook endpoint.")
class RegisterWebhookEndpointInput:
    url: str = strawberry.field(
        description="https only (http and local addresses only where the server allows it)."
    )
    event_types: list[WebhookEventType] = strawberry.field(description="At least one.")
    company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Operators: the company, or null for every company. Company users: "
        "their own (may be omitted).",
    )
    description: str | None = strawberry.field(default=None, description="A note for people.")


@strawberry.input(description="Switch an endpoint on or off.")
class SetWebhookEndpointEnabledInput:
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint.")
    enabled: bool = strawberry.field(
        description="True resumes delivery (pending events go out in order)."
    )


@strawberry.input(description="Send a delivery again.")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(description="The delivery.")
