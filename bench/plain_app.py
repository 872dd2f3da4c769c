"""The comparison point: the tracking screen as a hand-written JSON endpoint, no GraphQL.

`GET /tracking` authenticates the bearer token and does the same database reads as the GraphQL
tracking query (the same service functions: token, company, certificates, latest request, request
in review, documents, history), then returns byte for byte the same data, shaped as the GraphQL
response (`{"data": {"certificateTracking": …}}`), encoded with orjson. What is left between the
two is the price of GraphQL itself: parsing, validation, execution, the resolvers' layer.

Served by uvicorn with the same loop and HTTP parser as `certs serve`:
`DATABASE_URL=… uvicorn bench.plain_app:app --loop uvloop --http httptools`.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import Tortoise

from domain.calendar import expected_decision_by, local_date
from domain.certificate_lifecycle import allowed_state_changes, certificate_status_label
from domain.clock import SystemClock
from domain.enums import RequestStatus
from domain.errors import DomainError
from domain.renewal import days_until_expiry, renewal_offered
from domain.request_lifecycle import request_status_label
from models import Certificate, CertificateRequest
from models.database import tortoise_config
from resolvers.ids import to_global_id
from server.auth import principal_from_header
from server.heap import settle_startup_heap
from server.settings import Settings
from services import reads


def _json(data: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status_code, media_type="application/json")


async def _can_renew(certificate: Certificate, now: datetime) -> bool:
    if not renewal_offered(
        certificate.status, certificate.replaced_by_id, certificate.valid_until, now
    ):
        return False
    in_review = await reads.request_in_review_by_company([certificate.company_id])
    return not in_review.get(certificate.company_id)


def _certificate(certificate: Certificate, can_renew: bool, now: datetime) -> dict[str, Any]:
    return {
        "status": certificate.status.value,
        "statusLabel": certificate_status_label(certificate.status),
        "validFrom": certificate.valid_from.isoformat(),
        "validUntil": certificate.valid_until.isoformat(),
        "daysUntilExpiry": days_until_expiry(certificate.valid_until, now),
        "canRenew": can_renew,
        "allowedStateChanges": [
            s.value for s in allowed_state_changes(certificate.status, certificate.valid_until, now)
        ],
    }


async def _latest_request(
    request: CertificateRequest, public_base_url: str, now: datetime
) -> dict[str, Any]:
    documents, history = await asyncio.gather(
        reads.current_documents_by_request([request.id]), reads.history_by_request([request.id])
    )
    decision_by = expected_decision_by(request.submitted_at)
    overdue = request.status is RequestStatus.IN_REVIEW and local_date(now) > decision_by
    return {
        "id": to_global_id("CertificateRequest", request.id),
        "status": request.status.value,
        "statusLabel": request_status_label(request.status),
        "attempt": request.attempt,
        "expectedDecisionBy": decision_by.isoformat(),
        "isOverdue": overdue,
        "observations": request.observations,
        "documents": [
            {
                "id": (document_id := to_global_id("RequestDocument", d.id)),
                "kind": d.kind.value,
                "fileName": d.file_name,
                "observation": d.observation,
                "downloadUrl": f"{public_base_url}/documents/{document_id}",
            }
            for d in documents.get(request.id, [])
        ],
        "history": [
            {
                "fromStatus": h.from_status.value if h.from_status else None,
                "toStatus": h.to_status.value,
                "at": h.at.isoformat(),
                "actor": {"name": h.actor_name, "role": h.actor_role.value},
                "note": h.note,
            }
            for h in history.get(request.id, [])
        ],
    }


def create_plain_app(settings: Settings) -> Starlette:
    clock = SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await Tortoise.init(
            config=tortoise_config(settings.effective_database_url), _enable_global_fallback=True
        )
        try:
            yield
        finally:
            await Tortoise.close_connections()

    async def tracking(request: Request) -> Response:
        principal = await principal_from_header(request.headers.get("authorization"), clock)
        if principal is None:
            return _json({"error": "UNAUTHENTICATED"}, 401)
        now = clock.now()
        try:
            data = await reads.get_tracking(principal, None, now)
        except DomainError as error:
            return _json({"error": error.code.value}, 404)
        certificate = data.certificate
        latest = data.latest_request
        can_renew, latest_json = await asyncio.gather(
            _can_renew(certificate, now) if certificate else _false(),
            _latest_request(latest, settings.public_base_url, now) if latest else _none(),
        )
        company = data.company
        body = {
            "data": {
                "certificateTracking": {
                    "company": {
                        "nit": company.nit,
                        "legalName": company.legal_name,
                        "principalContact": {
                            "name": company.contact_name,
                            "email": company.contact_email,
                        },
                    },
                    "certificate": _certificate(certificate, can_renew, now)
                    if certificate
                    else None,
                    "latestRequest": latest_json,
                    "notices": [
                        {
                            "code": n.code.value,
                            "message": n.message,
                            "redirectToTracking": n.redirect_to_tracking,
                        }
                        for n in data.notices
                    ],
                    "canSubmitRequest": data.can_submit_request,
                    "nextRequestKind": data.next_request_kind.value
                    if data.next_request_kind
                    else None,
                }
            }
        }
        return _json(body)

    async def health(request: Request) -> Response:
        return _json({"status": "ok"})

    return Starlette(
        routes=[Route("/tracking", tracking), Route("/health", health)], lifespan=lifespan
    )


async def _false() -> bool:
    return False


async def _none() -> None:
    return None


app = create_plain_app(Settings.from_env())
settle_startup_heap()  # as server.asgi does: the same garbage-collector settings
