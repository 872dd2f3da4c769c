from models.webhooks import WebhookDelivery
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.webhooks import redeliver


async def resolve(info: AppInfo, *, delivery_id: str) -> WebhookDelivery:
    """Operators: puts a delivery back in line now, with a new 24-hour retry period."""
    pk = decode_id(delivery_id, "WebhookDelivery", field="deliveryId", what="la entrega")
    row = await redeliver(info.context.principal, pk, info.context.deps.clock.now())
    info.context.deps.wake_outbox()
    return row
