"""Issue 13's transitions announce themselves to webhooks like every other change: the event is
queued with its history row (its key names that row), one delivery per subscribed endpoint."""

from datetime import timedelta
from typing import Any

import orjson

from domain.clock import FixedClock
from domain.enums import CertificateStatus, RequestStatus
from domain.webhooks import WebhookEventType
from models import CertificateRequest, CertificateStatusChange, RequestStatusChange
from models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent
from services.dependencies import Dependencies
from services.expire_and_remind import run_daily_job
from services.withdraw_certificate_request import WithdrawCommand, withdraw_certificate_request
from tests.support.factories import Caller
from tests.support.use_cases import approve
from tests.support.webhook_receiver import register_local_endpoint

#: Registered, never called: these tests look at what is queued, not at delivery.
UNUSED_URL = "http://127.0.0.1:9/hook"


async def endpoint(admin: Caller) -> WebhookEndpoint:
    registered, _ = await register_local_endpoint(admin.principal, UNUSED_URL)
    return registered


async def queued(event_type: WebhookEventType) -> list[tuple[WebhookEvent, dict[str, Any]]]:
    rows = await WebhookEvent.filter(type=event_type.value).order_by("id")
    return [(row, orjson.loads(row.body)) for row in rows]


async def assert_delivery_pending(event: WebhookEvent, hook: WebhookEndpoint) -> None:
    deliveries = await WebhookDelivery.filter(event_id=event.id)
    assert [delivery.endpoint_id for delivery in deliveries] == [hook.id]


async def last_request_change(request: CertificateRequest) -> RequestStatusChange:
    change = await RequestStatusChange.filter(request_id=request.id).order_by("-id").first()
    assert change is not None
    return change


async def test_a_request_withdrawn_by_the_company_queues_request_withdrawn(
    deps: Dependencies, admin: Caller, customer: Caller, rejected: CertificateRequest
) -> None:
    hook = await endpoint(admin)
    await withdraw_certificate_request(
        deps, customer.principal, WithdrawCommand(rejected.id, "Ya no lo necesitamos.")
    )

    [(event, body)] = await queued(WebhookEventType.REQUEST_WITHDRAWN)
    change = await last_request_change(rejected)
    assert change.to_status is RequestStatus.WITHDRAWN
    assert event.event_key == f"request-change:{change.id}"
    assert body["type"] == "request.withdrawn"
    request = body["data"]["request"]
    assert (request["status"], request["statusLabel"], request["previousStatus"]) == (
        "WITHDRAWN",
        "Desistida",
        "REJECTED",
    )
    await assert_delivery_pending(event, hook)


async def test_a_request_withdrawn_by_the_job_queues_request_withdrawn(
    deps: Dependencies, admin: Caller, rejected: CertificateRequest, clock: FixedClock
) -> None:
    hook = await endpoint(admin)
    clock.advance(timedelta(days=60))
    assert (await run_daily_job(deps, clock.now())).withdrawn == 1

    [(event, body)] = await queued(WebhookEventType.REQUEST_WITHDRAWN)
    change = await last_request_change(rejected)
    assert (change.to_status, change.actor_name) == (RequestStatus.WITHDRAWN, "Sistema")
    assert event.event_key == f"request-change:{change.id}"
    assert body["data"]["request"]["status"] == "WITHDRAWN"
    await assert_delivery_pending(event, hook)
    # Idempotent: a second run withdraws nothing and queues nothing.
    await run_daily_job(deps, clock.now())
    assert len(await queued(WebhookEventType.REQUEST_WITHDRAWN)) == 1


async def test_a_certificate_started_by_the_job_queues_certificate_started(
    deps: Dependencies,
    admin: Caller,
    reviewer: Caller,
    submitted: CertificateRequest,
    clock: FixedClock,
) -> None:
    hook = await endpoint(admin)
    start = clock.now() + timedelta(days=5)
    _, certificate = await approve(deps, reviewer, submitted, "SN-0001", start)
    assert certificate.status is CertificateStatus.ISSUED
    assert await queued(WebhookEventType.CERTIFICATE_STARTED) == []

    clock.set(start)
    assert (await run_daily_job(deps, clock.now())).started == 1

    [(event, body)] = await queued(WebhookEventType.CERTIFICATE_STARTED)
    change = (
        await CertificateStatusChange.filter(certificate_id=certificate.id).order_by("-id").first()
    )
    assert change is not None
    assert (change.from_status, change.to_status) == (
        CertificateStatus.ISSUED,
        CertificateStatus.ACTIVE,
    )
    assert event.event_key == f"certificate-change:{change.id}"
    data = body["data"]["certificate"]
    assert (data["status"], data["statusLabel"], data["previousStatus"]) == (
        "ACTIVE",
        "Activo",
        "ISSUED",
    )
    await assert_delivery_pending(event, hook)
