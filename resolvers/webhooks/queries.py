"""Webhook endpoints and deliveries, as the caller may see them (rows out)."""

from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from services.webhooks import list_deliveries, list_endpoints


async def webhook_endpoints(info: AppInfo, *, company_id: str | None) -> list[WebhookEndpoint]:
    """Operators: every endpoint; company users (when allowed): their company's."""
    company = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
    return await list_endpoints(info.context.principal, info.context.deps.webhooks, company)


async def webhook_deliveries(
    info: AppInfo, *, endpoint_id: str | None, status: WebhookDeliveryStatus | None, first: int
) -> list[WebhookDelivery]:
    """Operators: the newest deliveries first, with their attempts and last answer."""
    endpoint = decode_optional_id(
        endpoint_id, "WebhookEndpoint", field="endpointId", what="el webhook"
    )
    return await list_deliveries(
        info.context.principal, endpoint_id=endpoint, status=status, first=first
    )
