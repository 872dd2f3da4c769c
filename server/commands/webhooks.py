"""`certs webhooks`: the deliveries as the API's `webhookDeliveries` shows them, and a redelivery."""

import argparse
import asyncio
from typing import Any

from domain.clock import SystemClock
from models.webhooks import WebhookDeliveryStatus
from resolvers.ids import to_global_id
from server.commands.common import CLI_OPERATOR, emit, row_id, with_database
from server.settings import Settings
from services.webhooks import list_deliveries, redeliver


def _delivery_json(delivery: Any) -> dict[str, Any]:
    def at(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": to_global_id("WebhookDelivery", delivery.id),
        "eventId": delivery.event.event_id,
        "eventType": delivery.event.type,
        "endpoint": {
            "id": to_global_id("WebhookEndpoint", delivery.endpoint_id),
            "url": delivery.endpoint.url,
            "enabled": delivery.endpoint.enabled,
        },
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "lastStatusCode": delivery.last_status_code,
        "lastResponse": delivery.last_response,
        "lastLatencyMs": delivery.last_latency_ms,
        "lastAttemptAt": at(delivery.last_attempt_at),
        "nextAttemptAt": at(delivery.next_attempt_at),
        "deliveredAt": at(delivery.delivered_at),
        "createdAt": at(delivery.created_at),
    }


def cmd_webhooks_deliveries(settings: Settings, args: argparse.Namespace) -> int:
    """The newest webhook deliveries, as the API's `webhookDeliveries` shows them."""

    async def work() -> int:
        rows = await list_deliveries(
            CLI_OPERATOR,
            endpoint_id=row_id(args.endpoint, "WebhookEndpoint", "el webhook")
            if args.endpoint
            else None,
            status=WebhookDeliveryStatus(args.status) if args.status else None,
            first=args.limit,
        )
        emit({"deliveries": [_delivery_json(row) for row in rows]})
        return 0

    return asyncio.run(with_database(settings, work))


def cmd_webhooks_redeliver(settings: Settings, args: argparse.Namespace) -> int:
    """Put a delivery back in line now; the servers' worker (or `certs outbox deliver`) sends it."""

    async def work() -> int:
        row = await redeliver(
            CLI_OPERATOR,
            row_id(args.delivery, "WebhookDelivery", "la entrega"),
            SystemClock().now(),
        )
        emit({"delivery": _delivery_json(row)})
        return 0

    return asyncio.run(with_database(settings, work))
