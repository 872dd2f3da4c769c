"""Use cases of the webhooks: register an endpoint, list and switch endpoints, see and redeliver
deliveries.

Operators (ADMIN) register endpoints for one company or, without a company, for every company.
Company users register endpoints for their own company only when `WEBHOOK_CUSTOMER_ENDPOINTS`
allows it, and see and switch only those. Deliveries (bodies with every company's data, the
receivers' answers) are the operators' alone. The secret is generated here, returned once by
`register_endpoint` and never shown again.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.enums import ErrorCode, Role
from domain.errors import DomainError
from domain.validation import require_text
from domain.webhooks import WebhookEventType, normalize_event_types
from models import Company
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from notifications.webhook_http import WebhookSender
from services.audit import record_audit
from services.principal import Principal, not_found, require_principal, target_company_id
from services.webhooks_policy import WebhookPolicy

MAX_ENDPOINTS_PER_COMPANY = 10
MAX_PAGE_SIZE = 200
DESCRIPTION_MAX_LENGTH = 200


@dataclass(frozen=True)
class RegisterEndpointCommand:
    url: str
    event_types: Sequence[WebhookEventType]
    company_id: int | None = None
    description: str | None = None


def _require_operator(principal: Principal | None, action: str) -> Principal:
    caller = require_principal(principal)
    if caller.role is not Role.ADMIN:
        raise DomainError(ErrorCode.FORBIDDEN, f"Solo un operador (ADMIN) puede {action}.")
    return caller


def _endpoint_manager(principal: Principal | None, policy: WebhookPolicy) -> Principal:
    caller = require_principal(principal)
    if caller.role is Role.ADMIN:
        return caller
    if caller.role is Role.CUSTOMER and policy.customer_endpoints:
        return caller
    raise DomainError(ErrorCode.FORBIDDEN, "Tu rol no permite administrar webhooks.")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


async def register_endpoint(
    principal: Principal | None,
    policy: WebhookPolicy,
    command: RegisterEndpointCommand,
    now: datetime,
) -> tuple[WebhookEndpoint, str]:
    """The new endpoint and its secret (shown this once)."""
    caller = _endpoint_manager(principal, policy)
    company_id = (
        command.company_id
        if caller.role is Role.ADMIN
        else target_company_id(caller, command.company_id)
    )
    event_types = normalize_event_types(command.event_types)
    description = (
        require_text(
            command.description,
            field="description",
            label="La descripción",
            max_length=DESCRIPTION_MAX_LENGTH,
        )
        if command.description and command.description.strip()
        else ""
    )
    # Resolves the name and checks every address, as each delivery will do again.
    await WebhookSender(allow_local=policy.allow_local).target(command.url)
    async with in_transaction():
        if company_id is not None:
            company = await Company.filter(id=company_id).select_for_update().first()
            if company is None:
                raise not_found("la empresa")
        if await WebhookEndpoint.filter(company_id=company_id).count() >= MAX_ENDPOINTS_PER_COMPANY:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"Ya hay {MAX_ENDPOINTS_PER_COMPANY} webhooks registrados; "
                "desactiva o reutiliza uno de ellos.",
            )
        secret = new_secret()
        endpoint = await WebhookEndpoint.create(
            company_id=company_id,
            url=command.url.strip(),
            description=description,
            event_types=",".join(kind.value for kind in event_types),
            secret=secret,
            enabled=True,
            created_by_id=caller.user_id,
            created_at=now,
        )
        await record_audit(
            AuditAction.WEBHOOK_ENDPOINT_REGISTERED,
            actor=caller,
            at=now,
            target_type="WebhookEndpoint",
            target_id=endpoint.id,
            company_id=company_id,
            details={"url": endpoint.url, "eventTypes": endpoint.event_types},
        )
    return endpoint, secret


async def list_endpoints(
    principal: Principal | None, policy: WebhookPolicy, company_id: int | None
) -> list[WebhookEndpoint]:
    caller = _endpoint_manager(principal, policy)
    query = WebhookEndpoint.all()
    if caller.role is not Role.ADMIN:
        query = query.filter(company_id=target_company_id(caller, company_id))
    elif company_id is not None:
        query = query.filter(company_id=company_id)
    return await query.order_by("id")


async def _visible_endpoint(caller: Principal, endpoint_id: int) -> WebhookEndpoint:
    endpoint = await WebhookEndpoint.filter(id=endpoint_id).select_for_update().first()
    if endpoint is None or (
        caller.role is not Role.ADMIN
        and (endpoint.company_id is None or endpoint.company_id != caller.company_id)
    ):
        raise not_found("el webhook")
    return endpoint


async def set_endpoint_enabled(
    principal: Principal | None,
    policy: WebhookPolicy,
    endpoint_id: int,
    enabled: bool,
    *,
    now: datetime,
) -> WebhookEndpoint:
    """Switch an endpoint on or off. Switching on starts the count of failures anew; what was
    pending is delivered, in order."""
    caller = _endpoint_manager(principal, policy)
    async with in_transaction():
        endpoint = await _visible_endpoint(caller, endpoint_id)
        endpoint.enabled = enabled
        if enabled:
            endpoint.consecutive_failures = 0
            endpoint.disabled_at = None
            endpoint.disabled_reason = None
        await endpoint.save(
            update_fields=["enabled", "consecutive_failures", "disabled_at", "disabled_reason"]
        )
        await record_audit(
            AuditAction.WEBHOOK_ENDPOINT_ENABLED_CHANGED,
            actor=caller,
            at=now,
            target_type="WebhookEndpoint",
            target_id=endpoint.id,
            company_id=endpoint.company_id,
            details={"enabled": enabled},
        )
    return endpoint


async def list_deliveries(
    principal: Principal | None,
    *,
    endpoint_id: int | None,
    status: WebhookDeliveryStatus | None,
    first: int,
) -> list[WebhookDelivery]:
    """The newest `first` deliveries (at most MAX_PAGE_SIZE). Operators only."""
    _require_operator(principal, "ver las entregas de webhooks")
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"first debe estar entre 1 y {MAX_PAGE_SIZE}.", field="first"
        )
    query = WebhookDelivery.all()
    if endpoint_id is not None:
        query = query.filter(endpoint_id=endpoint_id)
    if status is not None:
        query = query.filter(status=status)
    return await query.order_by("-id").limit(first).prefetch_related("event", "endpoint")


async def redeliver(
    principal: Principal | None, delivery_id: int, now: datetime
) -> WebhookDelivery:
    """Put a delivery back in line, due at `now`, with a new 24-hour retry period. A delivery
    that succeeded is sent again too (the same event id: the receiver may drop it)."""
    _require_operator(principal, "reenviar webhooks")
    async with in_transaction():
        # Waits for a worker that holds the row mid-send, then sees what it decided.
        delivery = await WebhookDelivery.filter(id=delivery_id).select_for_update().first()
        if delivery is None:
            raise not_found("la entrega")
        delivery.status = WebhookDeliveryStatus.PENDING
        delivery.next_attempt_at = now
        delivery.first_attempt_at = None
        await delivery.save(update_fields=["status", "next_attempt_at", "first_attempt_at"])
        await record_audit(
            AuditAction.WEBHOOK_REDELIVERED,
            actor=principal,
            at=now,
            target_type="WebhookDelivery",
            target_id=delivery.id,
            details={"endpointId": delivery.endpoint_id, "eventId": delivery.event_id},
        )
    await delivery.fetch_related("event", "endpoint")
    return delivery
