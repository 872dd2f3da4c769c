"""History rows: every transition of a request or a certificate, with who did it and why.

Every transition is also the cause of a webhook event, queued here in the same transaction so
that no use case can record a change and forget to announce it.
"""

from datetime import datetime

from domain.enums import CertificateStatus, RequestStatus
from events.messages import StatusChanged
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    RequestStatusChange,
)
from notifications.webhook_events import queue_certificate_change, queue_request_change
from services.principal import Principal


async def record_request_change(
    request: CertificateRequest,
    *,
    from_status: RequestStatus | None,
    actor: Principal,
    at: datetime,
    note: str | None,
) -> StatusChanged:
    change = await RequestStatusChange.create(
        request_id=request.id,
        from_status=from_status,
        to_status=request.status,
        at=at,
        actor_id=actor.user_id,
        actor_name=actor.name,
        actor_role=actor.role,
        note=note,
    )
    await queue_request_change(request, change.id, from_status, at)
    return StatusChanged("request", request.id, request.company_id, change.id)


async def record_certificate_change(
    certificate: Certificate,
    *,
    from_status: CertificateStatus | None,
    actor: Principal | None,
    at: datetime,
    note: str | None,
) -> tuple[CertificateStatusChange, StatusChanged]:
    """`actor` None means the system did it (expiry, a renewal superseding the certificate)."""
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
    return change, event
