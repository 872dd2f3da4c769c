"""The settings that decide who may register webhooks, and which URLs they may point to."""

from dataclasses import dataclass


@dataclass(frozen=True)
class WebhookPolicy:
    #: http:// and private, loopback or link-local addresses (WEBHOOK_ALLOW_LOCAL; development only).
    allow_local: bool = False
    #: Company users may register endpoints for their own company (WEBHOOK_CUSTOMER_ENDPOINTS).
    customer_endpoints: bool = False
