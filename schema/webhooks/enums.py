"""The webhooks' enums, registered with Strawberry under the contract's names."""

import strawberry

from domain.webhooks import WebhookEventType
from models.webhooks import WebhookDeliveryStatus

__all__ = ["WebhookDeliveryStatus", "WebhookEventType"]

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
