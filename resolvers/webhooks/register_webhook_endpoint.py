from collections.abc import Sequence

from domain.webhooks import WebhookEventType
from models.webhooks import WebhookEndpoint
from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from services.webhooks import RegisterEndpointCommand, register_endpoint


async def resolve(
    info: AppInfo,
    *,
    url: str,
    event_types: Sequence[WebhookEventType],
    company_id: str | None,
    description: str | None,
) -> tuple[WebhookEndpoint, str]:
    """Registers an endpoint; returns it with its secret, shown only this once."""
    company = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
    return await register_endpoint(
        info.context.principal,
        info.context.deps.webhooks,
        RegisterEndpointCommand(
            url=url, event_types=event_types, company_id=company, description=description
        ),
        info.context.deps.clock.now(),
    )
