"""Webhooks in the API: endpoints, deliveries, and the inputs and payloads of their mutations."""

from datetime import datetime

import strawberry

from domain.webhooks import WebhookEventType, parse_event_types
from models.webhooks import WebhookDelivery as DeliveryRow
from models.webhooks import WebhookDeliveryStatus
from models.webhooks import WebhookEndpoint as EndpointRow
from schema.companies import Company
from schema.context import AppInfo
from schema.errors import UserError
from schema.node import to_global_id

strawberry.enum(
    WebhookEventType,
    name="WebhookEventType",
    description="What a webhook announces; the JSON body's `type` is the lower-case dotted form "
    "(REQUEST_SUBMITTED is `request.submitted`).",
)
strawberry.enum(
    WebhookDeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING: waiting for its next attempt; SUCCEEDED: the receiver answered 2xx; "
    "FAILED: 24 hours of attempts failed (an operator may redeliver it).",
)


@strawberry.type(description="A URL that receives signed webhook requests.")
class WebhookEndpoint:
    row: strawberry.Private[EndpointRow]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("WebhookEndpoint", self.row.id)

    @strawberry.field(description="The company whose events it receives; null: every company.")
    async def company(self, info: AppInfo) -> Company | None:
        if self.row.company_id is None:
            return None
        row = await info.context.loaders.company.load(self.row.company_id)
        return Company.from_row(row) if row else None

    @strawberry.field(description="Where the events are POSTed.")
    def url(self) -> str:
        return self.row.url

    @strawberry.field(description="A note for people: what system listens there.")
    def description(self) -> str:
        return self.row.description

    @strawberry.field(description="The event types it receives.")
    def event_types(self) -> list[WebhookEventType]:
        return parse_event_types(self.row.event_types)

    @strawberry.field(
        description="False when switched off by hand or after too many consecutive failures."
    )
    def enabled(self) -> bool:
        return self.row.enabled

    @strawberry.field(description="Failed attempts in a row, over all its deliveries.")
    def consecutive_failures(self) -> int:
        return self.row.consecutive_failures

    @strawberry.field(description="When it was disabled after repeated failures.")
    def disabled_at(self) -> datetime | None:
        return self.row.disabled_at

    @strawberry.field(description="Why it was disabled (Spanish).")
    def disabled_reason(self) -> str | None:
        return self.row.disabled_reason

    @strawberry.field(description="When it was registered.")
    def created_at(self) -> datetime:
        return self.row.created_at


@strawberry.type(
    description="One event for one endpoint and how its attempts went. Operators only."
)
class WebhookDelivery:
    row: strawberry.Private[DeliveryRow]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("WebhookDelivery", self.row.id)

    @strawberry.field(description="The event's stable id (`evt_…`), the body's `id`.")
    def event_id(self) -> str:
        return self.row.event.event_id

    @strawberry.field(description="The event's type.")
    def event_type(self) -> WebhookEventType:
        return WebhookEventType(self.row.event.type)

    @strawberry.field(description="The JSON body sent, as text.")
    def payload(self) -> str:
        return self.row.event.body

    @strawberry.field(description="The endpoint it goes to.")
    def endpoint(self) -> WebhookEndpoint:
        return WebhookEndpoint(row=self.row.endpoint)

    @strawberry.field(description="Where it stands.")
    def status(self) -> WebhookDeliveryStatus:
        return self.row.status

    @strawberry.field(description="Attempts made so far.")
    def attempts(self) -> int:
        return self.row.attempts

    @strawberry.field(description="The HTTP status of the last answer; null when none came.")
    def last_status_code(self) -> int | None:
        return self.row.last_status_code

    @strawberry.field(description="The start of the last answer's body, or why there was none.")
    def last_response(self) -> str | None:
        return self.row.last_response

    @strawberry.field(description="How long the last attempt took, in milliseconds.")
    def last_latency_ms(self) -> int | None:
        return self.row.last_latency_ms

    @strawberry.field(description="When it was last attempted.")
    def last_attempt_at(self) -> datetime | None:
        return self.row.last_attempt_at

    @strawberry.field(description="When it will be attempted next, while PENDING.")
    def next_attempt_at(self) -> datetime | None:
        return self.row.next_attempt_at

    @strawberry.field(description="When the receiver answered 2xx.")
    def delivered_at(self) -> datetime | None:
        return self.row.delivered_at

    @strawberry.field(description="When it was queued, with the change it announces.")
    def created_at(self) -> datetime:
        return self.row.created_at


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


@strawberry.input(description="Switch an endpoint on or off.")
class SetWebhookEndpointEnabledInput:
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint.")
    enabled: bool = strawberry.field(
        description="True resumes delivery (pending events go out in order)."
    )


@strawberry.type(description="The endpoint as it is now.")
class SetWebhookEndpointEnabledPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(default=None, description="The endpoint.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")


@strawberry.input(description="Send a delivery again.")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(description="The delivery.")


@strawberry.type(description="The delivery, back in line.")
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None = strawberry.field(default=None, description="The delivery.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Refusals.")
