"""Webhooks: register, list and switch endpoints; list and redeliver deliveries."""

from typing import Annotated

import strawberry

from models.webhooks import WebhookDeliveryStatus
from resolvers.guard import or_public_error, payload_or_errors
from schema.context import AppInfo
from schema.node import decode_id, decode_optional_id
from schema.webhooks import (
    RedeliverWebhookInput,
    RedeliverWebhookPayload,
    RegisterWebhookEndpointInput,
    RegisterWebhookEndpointPayload,
    SetWebhookEndpointEnabledInput,
    SetWebhookEndpointEnabledPayload,
    WebhookDelivery,
    WebhookEndpoint,
)
from services import webhooks
from services.webhooks import RegisterEndpointCommand


async def webhook_endpoints(
    info: AppInfo,
    company_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="Operators: only this company's endpoints."),
    ] = None,
) -> list[WebhookEndpoint]:
    """Operators: every endpoint; company users (when allowed): their company's."""

    async def load() -> list[WebhookEndpoint]:
        company = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
        rows = await webhooks.list_endpoints(
            info.context.principal, info.context.deps.webhooks, company
        )
        return [WebhookEndpoint(row=row) for row in rows]

    return await or_public_error(load())


async def webhook_deliveries(
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

    async def load() -> list[WebhookDelivery]:
        endpoint = decode_optional_id(
            endpoint_id, "WebhookEndpoint", field="endpointId", what="el webhook"
        )
        rows = await webhooks.list_deliveries(
            info.context.principal, endpoint_id=endpoint, status=status, first=first
        )
        return [WebhookDelivery(row=row) for row in rows]

    return await or_public_error(load())


async def register_webhook_endpoint(
    info: AppInfo, input: RegisterWebhookEndpointInput
) -> RegisterWebhookEndpointPayload:
    """Registers an endpoint; the payload carries its secret, shown only this once."""

    async def run() -> RegisterWebhookEndpointPayload:
        company = decode_optional_id(
            input.company_id, "Company", field="companyId", what="la empresa"
        )
        endpoint, secret = await webhooks.register_endpoint(
            info.context.principal,
            info.context.deps.webhooks,
            RegisterEndpointCommand(
                url=input.url,
                event_types=input.event_types,
                company_id=company,
                description=input.description,
            ),
            info.context.deps.clock.now(),
        )
        return RegisterWebhookEndpointPayload(endpoint=WebhookEndpoint(row=endpoint), secret=secret)

    return await payload_or_errors(info, run, RegisterWebhookEndpointPayload)


async def set_webhook_endpoint_enabled(
    info: AppInfo, input: SetWebhookEndpointEnabledInput
) -> SetWebhookEndpointEnabledPayload:
    """Switches an endpoint on (pending events then go out in order) or off."""

    async def run() -> SetWebhookEndpointEnabledPayload:
        endpoint_id = decode_id(
            input.endpoint_id, "WebhookEndpoint", field="endpointId", what="el webhook"
        )
        row = await webhooks.set_endpoint_enabled(
            info.context.principal, info.context.deps.webhooks, endpoint_id, input.enabled
        )
        info.context.deps.wake_outbox()
        return SetWebhookEndpointEnabledPayload(endpoint=WebhookEndpoint(row=row))

    return await payload_or_errors(info, run, SetWebhookEndpointEnabledPayload)


async def redeliver_webhook(info: AppInfo, input: RedeliverWebhookInput) -> RedeliverWebhookPayload:
    """Operators: puts a delivery back in line now, with a new 24-hour retry period."""

    async def run() -> RedeliverWebhookPayload:
        delivery_id = decode_id(
            input.delivery_id, "WebhookDelivery", field="deliveryId", what="la entrega"
        )
        row = await webhooks.redeliver(
            info.context.principal, delivery_id, info.context.deps.clock.now()
        )
        info.context.deps.wake_outbox()
        return RedeliverWebhookPayload(delivery=WebhookDelivery(row=row))

    return await payload_or_errors(info, run, RedeliverWebhookPayload)
