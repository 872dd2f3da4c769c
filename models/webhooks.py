"""Webhooks: the endpoints companies' systems registered, the events, and one delivery per pair.

An event row is written in the same transaction as the change it announces, together with one
delivery row per endpoint that wants it (the transactional outbox of the emails, for HTTP). The
pair (event, endpoint) is unique, so an event is never queued twice for the same endpoint; the
body is kept as sent, so every attempt carries the same bytes and the same event id.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.companies import Company
    from models.users import User


class WebhookDeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class WebhookEndpoint(Model):
    """A URL that receives events. `company` NULL: an endpoint of the operators, for every company."""

    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyNullableRelation["Company"] = fields.ForeignKeyField(
        "models.Company", related_name="webhook_endpoints", null=True, on_delete=fields.CASCADE
    )
    company_id: int | None
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=200, default="")
    # The event types wanted, as a comma-separated list of `domain.webhooks.WebhookEventType`.
    event_types = fields.CharField(max_length=1000)
    # Signs every request; shown once to whoever registered the endpoint.
    secret = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=True)
    consecutive_failures = fields.IntField(default=0)
    disabled_at = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=300, null=True)
    created_by: fields.ForeignKeyNullableRelation["User"] = fields.ForeignKeyField(
        "models.User", related_name="webhook_endpoints", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_endpoints"


class WebhookEvent(Model):
    """Something that happened, as every endpoint receives it (`body` is the JSON sent)."""

    id = fields.IntField(primary_key=True)
    # The public, stable id (`evt_…`): receivers drop a repeated delivery by it.
    event_id = fields.CharField(max_length=40, unique=True)
    # What made it (e.g. `request-change:12`): the same cause never makes two events.
    event_key = fields.CharField(max_length=200, unique=True)
    type = fields.CharField(max_length=60)
    company: fields.ForeignKeyRelation["Company"] = fields.ForeignKeyField(
        "models.Company", related_name="webhook_events", on_delete=fields.CASCADE
    )
    company_id: int
    # Deliveries of one subject (`request:7`, `certificate:3`) go out in order, per endpoint.
    ordering_key = fields.CharField(max_length=60)
    body = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_events"


class WebhookDelivery(Model):
    """One event for one endpoint, and how its attempts went."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[WebhookEvent] = fields.ForeignKeyField(
        "models.WebhookEvent", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id: int
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    endpoint_id: int
    ordering_key = fields.CharField(max_length=60, db_index=True)
    status = fields.CharEnumField(
        WebhookDeliveryStatus, max_length=10, default=WebhookDeliveryStatus.PENDING, db_index=True
    )
    attempts = fields.IntField(default=0)
    # NULL means due at once (queued inside a use case that passes no clock).
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    first_attempt_at = fields.DatetimeField(null=True)
    last_attempt_at = fields.DatetimeField(null=True)
    last_status_code = fields.IntField(null=True)
    # The start of the receiver's last answer, or why there was none.
    last_response = fields.TextField(null=True)
    last_latency_ms = fields.IntField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_deliveries"
        unique_together = (("event", "endpoint"),)
