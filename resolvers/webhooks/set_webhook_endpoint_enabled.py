from models.webhooks import WebhookEndpoint
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.webhooks import set_endpoint_enabled


async def resolve(info: AppInfo, *, endpoint_id: str, enabled: bool) -> WebhookEndpoint:
    """Switches an endpoint on (pending events then go out in order) or off."""
    pk = decode_id(endpoint_id, "WebhookEndpoint", field="endpointId", what="el webhook")
    row = await set_endpoint_enabled(
        info.context.principal,
        info.context.deps.webhooks,
        pk,
        enabled,
        now=info.context.deps.clock.now(),
    )
    info.context.deps.wake_outbox()
    return row
