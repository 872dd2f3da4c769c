"""Queuing webhook events: one event row and one delivery row per endpoint that wants it.

Like `notifications.emails`, every function here must be awaited inside the caller's open
transaction: the event is committed with the change that causes it, or not at all, and the
worker in `notifications.webhook_delivery` sends it later. Nothing is written when no enabled
endpoint wants the event (there is no one to tell).

Each event is identified by what caused it (`event_key`, e.g. `request-change:12`, the id of the
history row), unique in the table: queuing the same cause twice is a no-op. Its public id
(`evt_…`) and its JSON body are fixed when it is queued, so every attempt, and every manual
redelivery, sends the same bytes.
"""

import base64
import secrets
from datetime import UTC, datetime
from typing import Any

import orjson
from tortoise.expressions import Q

from domain.certificate_lifecycle import certificate_status_label
from domain.enums import CertificateStatus, RequestStatus
from domain.reminders import ReminderKind, ReminderStage
from domain.request_lifecycle import request_status_label
from domain.webhooks import (
    SCHEMA_VERSION,
    WebhookEventType,
    certificate_event_type,
    parse_event_types,
    request_event_type,
)
from models import Certificate, CertificateRequest, Company
from models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent


def global_id(type_name: str, pk: int) -> str:
    """The Relay global id the API shows for a row (the format of `schema.node.to_global_id`)."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode()


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def _subscribed(company_id: int, event_type: WebhookEventType) -> list[WebhookEndpoint]:
    """The enabled endpoints of the company, and the operators' ones, that want this type."""
    endpoints = await WebhookEndpoint.filter(
        Q(company_id=company_id) | Q(company_id__isnull=True), enabled=True
    ).order_by("id")
    return [e for e in endpoints if event_type in parse_event_types(e.event_types)]


async def queue_event(
    *,
    event_key: str,
    event_type: WebhookEventType,
    company: Company | int,
    ordering_key: str,
    data: dict[str, Any],
    at: datetime,
) -> WebhookEvent | None:
    """The event and its deliveries; None when no endpoint wants it or it was queued before.

    `company` may be given as its id: the row is then read only when an endpoint wants the event.
    """
    company_id = company if isinstance(company, int) else company.id
    endpoints = await _subscribed(company_id, event_type)
    if not endpoints or await WebhookEvent.exists(event_key=event_key):
        return None
    if isinstance(company, int):
        company = await Company.get(id=company_id)
    event_id = new_event_id()
    body = {
        "id": event_id,
        "type": event_type.value,
        "schemaVersion": SCHEMA_VERSION,
        "createdAt": _iso(at),
        "company": {
            "id": global_id("Company", company.id),
            "nit": company.nit,
            "legalName": company.legal_name,
        },
        "data": data,
    }
    event = await WebhookEvent.create(
        event_id=event_id,
        event_key=event_key,
        type=event_type.value,
        company_id=company.id,
        ordering_key=ordering_key,
        body=orjson.dumps(body).decode(),
        created_at=at,
    )
    await WebhookDelivery.bulk_create(
        [
            WebhookDelivery(
                event_id=event.id,
                endpoint_id=endpoint.id,
                ordering_key=ordering_key,
                created_at=at,
                next_attempt_at=None,
            )
            for endpoint in endpoints
        ],
        ignore_conflicts=True,
    )
    return event


def request_data(request: CertificateRequest, from_status: RequestStatus | None) -> dict[str, Any]:
    return {
        "request": {
            "id": global_id("CertificateRequest", request.id),
            "kind": request.kind.value,
            "status": request.status.value,
            "statusLabel": request_status_label(request.status),
            "previousStatus": from_status.value if from_status else None,
            "attempt": request.attempt,
            "observations": request.observations,
        }
    }


def certificate_data(
    certificate: Certificate, from_status: CertificateStatus | None
) -> dict[str, Any]:
    return {
        "certificate": {
            "id": global_id("Certificate", certificate.id),
            "serialNumber": certificate.serial_number,
            "issuer": certificate.issuer,
            "status": certificate.status.value,
            "statusLabel": certificate_status_label(certificate.status),
            "previousStatus": from_status.value if from_status else None,
            "validFrom": _iso(certificate.valid_from),
            "validUntil": _iso(certificate.valid_until),
        }
    }


async def queue_request_change(
    request: CertificateRequest, change_id: int, from_status: RequestStatus | None, at: datetime
) -> None:
    """The event of a request's transition (its history row `change_id`), if it names one."""
    event_type = request_event_type(from_status, request.status)
    if event_type is None:
        return
    await queue_event(
        event_key=f"request-change:{change_id}",
        event_type=event_type,
        company=request.company_id,
        ordering_key=f"request:{request.id}",
        data=request_data(request, from_status),
        at=at,
    )


async def queue_certificate_change(
    certificate: Certificate, change_id: int, from_status: CertificateStatus | None, at: datetime
) -> None:
    """The event of a certificate's transition (its history row `change_id`)."""
    await queue_event(
        event_key=f"certificate-change:{change_id}",
        event_type=certificate_event_type(from_status, certificate.status),
        company=certificate.company_id,
        ordering_key=f"certificate:{certificate.id}",
        data=certificate_data(certificate, from_status),
        at=at,
    )


async def queue_reminder(
    certificate: Certificate, company: Company, stage: ReminderStage, at: datetime
) -> None:
    """A stage of the expiry timeline: the renewal window opened, or a reminder before expiry.
    (The expiry itself is the certificate's change to EXPIRED.)"""
    if stage.kind is ReminderKind.EXPIRED:
        return
    event_type = (
        WebhookEventType.CERTIFICATE_RENEWAL_OPEN
        if stage.kind is ReminderKind.RENEWAL_OPEN
        else WebhookEventType.CERTIFICATE_REMINDER
    )
    data = certificate_data(certificate, None)
    data["reminder"] = {"stage": stage.key, "label": stage.label, "daysBefore": stage.days_before}
    await queue_event(
        event_key=f"certificate-reminder:{certificate.id}:{stage.key}",
        event_type=event_type,
        company=company,
        ordering_key=f"certificate:{certificate.id}",
        data=data,
        at=at,
    )
