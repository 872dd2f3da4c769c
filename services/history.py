"""History rows: every transition of a request or a certificate, with who did it and why.

Every transition is also the cause of a webhook event and of a live event (the event outbox),
both queued here in the same transaction, so that no use case can record a change and forget to
announce it.
"""

from datetime import datetime

from domain.enums import CertificateStatus, RequestStatus, Role
from events.messages import StatusChanged
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    RequestStatusChange,
)
from notifications.webhook_events import queue_certificate_change, queue_request_change
from services.live_events import announce_status_change
from services.principal import Principal

SYSTEM_ACTOR_NAME = "Sistema"
"""A request's history always names an actor (the contract's `actor: Actor!`): a change the
service makes by itself (the automatic withdrawal) is signed "Sistema", with the operators' role."""


async def record_request_change(
    request: CertificateRequest,
    *,
    from_status: RequestStatus | None,
    actor: Principal | None,
    at: datetime,
    note: str | None,
) -> StatusChanged:
    """`actor` None means the system did it (the automatic withdrawal)."""
    change = await RequestStatusChange.create(
        request_id=request.id,
        from_status=from_status,
        to_status=request.status,
        at=at,
        actor_id=actor.user_id if actor else None,
        actor_name=actor.name if actor else SYSTEM_ACTOR_NAME,
        actor_role=actor.role if actor else Role.ADMIN,
        note=note,
    )
    await queue_request_change(request, change.id, from_status, at)
    event = StatusChanged("request", request.id, request.company_id, change.id)
    await announce_status_change(event)
    return event


async def record_certificate_change(
    certificate: Certificate,
    *,
    from_status: CertificateStatus | None,
    actor: Principal | None,
    at: datetime,
    note: str | None,
) -> tuple[CertificateStatusChange, StatusChanged]:
    """`actor` None means the system did it (start, expiry, a renewal superseding it)."""
    change = await CertificateStatusChange.create(
        certificate_id=certificate.id,
        from_status=from_status,
        to_status=certificate.status,
        at=at,
        actor_id=actor.user_id if actor else None,
        actor_name=actor.name if actor else None,
        actor_role=actor.role if actor else None,
        note=note,
    )
    await queue_certificate_change(certificate, change.id, from_status, at)
    event = StatusChanged("certificate", certificate.id, certificate.company_id, change.id)
    await announce_status_change(event)
    return change, event
