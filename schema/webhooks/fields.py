"""The webhooks' part of the root types: endpoints and deliveries, and their mutations."""

from typing import Annotated

import strawberry

from resolvers.context import AppInfo
from resolvers.webhooks import (
    queries,
    redeliver_webhook,
    register_webhook_endpoint,
    set_webhook_endpoint_enabled,
)
from schema.core.guard import or_public_error, payload_or_errors
from schema.webhooks.enums import WebhookDeliveryStatus
from schema.webhooks.inputs import (
    RedeliverWebhookInput,
    RegisterWebhookEndpointInput,
    SetWebhookEndpointEnabledInput,
)
from schema.webhooks.payloads import (
    RedeliverWebhookPayload,
    RegisterWebhookEndpointPayload,
    SetWebhookEndpointEnabledPayload,
)
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint


async def resolve_webhook_endpoints(
    info: AppInfo,
    company_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="Operators: only this company's endpoints."),
    ] = None,
) -> list[WebhookEndpoint]:
    """Operators: every endpoint; company users (when allowed): their company's."""
    found = await or_public_error(queries.webhook_endpoints(info, company_id=company_id))
    return [WebhookEndpoint(row=row) for row in found]


async def resolve_webhook_deliveries(
    info: AppInfo,
    endpoint_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only this endpoint's deliveries.")
    ] = None,
    status: Annotated[
        WebhookDeliveryStatus | None,
        strawberry.argument(description="Only deliveries in this status."),
    ] = None,
    first: Annotated[
        int, strawberry.argument(description="How many, newest first (1 to 200).")
    ] = 50,
) -> list[WebhookDelivery]:
    """Operators: the newest deliveries first, with their attempts and last answer."""
    found = await or_public_error(
        queries.webhook_deliveries(info, endpoint_id=endpoint_id, status=status, first=first)
    )
    return [WebhookDelivery(row=row) for row in found]


async def resolve_register_webhook_endpoint(
    info: AppInfo, input: RegisterWebhookEndpointInput
) -> RegisterWebhookEndpointPayload:
    """Registers an endpoint; the payload carries its secret, shown only this once."""

    async def run() -> RegisterWebhookEndpointPayload:
        endpoint, secret = await register_webhook_endpoint.resolve(
            info,
            url=input.url,
            event_types=input.event_types,
            company_id=input.company_id,
            description=input.description,
        )
        return RegisterWebhookEndpointPayload(endpoint=WebhookEndpoint(row=endpoint), secret=secret)

    return await payload_or_errors(info, run, RegisterWebhookEndpointPayload)


async def resolve_set_webhook_endpoint_enabled(
    info: AppInfo, input: SetWebhookEndpointEnabledInput
) -> SetWebhookEndpointEnabledPayload:
    """Switches an endpoint on (pending events then go out in order) or off."""

    async def run() -> SetWebhookEndpointEnabledPayload:
        row = await set_webhook_endpoint_enabled.resolve(
            info, endpoint_id=input.endpoint_id, enabled=input.enabled
        )
        return SetWebhookEndpointEnabledPayload(endpoint=WebhookEndpoint(row=row))

    return await payload_or_errors(info, run, SetWebhookEndpointEnabledPayload)


async def resolve_redeliver_webhook(
    info: AppInfo, input: RedeliverWebhookInput
) -> RedeliverWebhookPayload:
    """Operators: puts a delivery back in line now, with a new 24-hour retry period."""

    async def run() -> RedeliverWebhookPayload:
        row = await redeliver_webhook.resolve(info, delivery_id=input.delivery_id)
        return RedeliverWebhookPayload(delivery=WebhookDelivery(row=row))

    return await payload_or_errors(info, run, RedeliverWebhookPayload)


webhook_endpoints = strawberry.field(
    resolver=resolve_webhook_endpoints,
    description="Webhook endpoints: every one for operators; a company's own for its users "
    "when WEBHOOK_CUSTOMER_ENDPOINTS allows.",
)
webhook_deliveries = strawberry.field(
    resolver=resolve_webhook_deliveries,
    description="Operators: webhook deliveries, newest first.",
)
register_endpoint = strawberry.mutation(
    resolver=resolve_register_webhook_endpoint,
    description="Registers a webhook endpoint; its secret is in the payload, only this once.",
)
set_endpoint_enabled = strawberry.mutation(
    resolver=resolve_set_webhook_endpoint_enabled,
    description="Switches a webhook endpoint on or off.",
)
redeliver = strawberry.mutation(
    resolver=resolve_redeliver_webhook,
    description="Operators: sends a webhook delivery again.",
)
