"""Webhooks in the API: the endpoints that receive signed requests, and each delivery."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.webhooks import parse_event_types
from models.webhooks import WebhookDelivery as DeliveryRow
from models.webhooks import WebhookEndpoint as EndpointRow
from resolvers import rows
from resolvers.context import AppInfo
from schema.core.lazy import DomainType
from schema.core.node import to_global_id
from schema.webhooks.enums import WebhookDeliveryStatus, WebhookEventType

if TYPE_CHECKING:
    from schema.companies.types import Company

CompanyRef = Annotated["Company", strawberry.lazy("schema.companies.types")]
_Company = DomainType("schema.companies.types", "Company")


@strawberry.type(description="A URL that receives signed webhook requests.")
class WebhookEndpoint:
    row: strawberry.Private[EndpointRow]

    @strawberry.field(description="Global id.")
    def id(self) -> strawberry.ID:
        return to_global_id("WebhookEndpoint", self.row.id)

    @strawberry.field(description="The company whose events it receives; null: every company.")
    async def company(self, info: AppInfo) -> CompanyRef | None:
        row = await rows.optional_company(info, self.row.company_id)
        return _Company.from_row(row) if row else None

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
