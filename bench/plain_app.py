"""The comparison points: the tracking screen and the reviewers' queue as hand-written JSON
endpoints, no GraphQL.

`GET /tracking` authenticates the bearer token and does the same database reads as the GraphQL
tracking query (the same service functions: token, company, certificates, latest request, request
in review, documents, history), then returns byte for byte the same data, shaped as the GraphQL
response (`{"data": {"certificateTracking": …}}`), encoded with orjson. What is left between the
two is the price of GraphQL itself: parsing, validation, execution, the resolvers' layer.

`GET /queue?first=N[&after=CURSOR]` is `bench.operations.QUEUE` the same way: the IN_REVIEW page
(`reads.list_requests`: count and page), then the companies, documents, history and certificates of
the page, one batch each and concurrently, with the functions the GraphQL loaders call; the JSON is
`{"data": {"certificateRequests": …}}` with the fields QUEUE asks, in its order
(`tests/bench/test_plain_app.py` compares the two answers).

Served by uvicorn with the same loop and HTTP parser as `certs serve`:
`DATABASE_URL=… uvicorn --factory bench.plain_app:app_from_env --loop uvloop --http httptools`.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import Tortoise

from domain.calendar import expected_decision_by, local_date
from domain.certificate_lifecycle import allowed_state_changes, certificate_status_label
from domain.clock import Clock, SystemClock
from domain.enums import RequestStatus
from domain.errors import DomainError
from domain.renewal import days_until_expiry, renewal_offered
from domain.request_lifecycle import request_status_label
from models import Certificate, CertificateRequest, Company
from models.database import tortoise_config
from resolvers.ids import to_global_id
from server.auth import principal_from_header
from server.heap import settle_startup_heap, share_decimal_context
from server.settings import Settings
from services import reads
from services.principal import Principal


def json_response(data: Any, status_code: int = 200) -> Response:
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


def _queue_node(
    request: CertificateRequest,
    company: Company,
    documents: list[Any],
    history: list[Any],
    certificate: Certificate | None,
    public_base_url: str,
    today: date,
) -> dict[str, Any]:
    decision_by = expected_decision_by(request.submitted_at)
    return {
        "id": to_global_id("CertificateRequest", request.id),
        "status": request.status.value,
        "submittedAt": request.submitted_at.isoformat(),
        "expectedDecisionBy": decision_by.isoformat(),
        "isOverdue": request.status is RequestStatus.IN_REVIEW and today > decision_by,
        "company": {"nit": company.nit, "legalName": company.legal_name},
        "documents": [
            {
                "id": (document_id := to_global_id("RequestDocument", d.id)),
                "kind": d.kind.value,
                "fileName": d.file_name,
                "downloadUrl": f"{public_base_url}/documents/{document_id}",
            }
            for d in documents
        ],
        "history": [
            {
                "fromStatus": h.from_status.value if h.from_status else None,
                "toStatus": h.to_status.value,
                "at": h.at.isoformat(),
                "actor": {"name": h.actor_name, "role": h.actor_role.value},
            }
            for h in history
        ],
        "certificate": {
            "serialNumber": certificate.serial_number,
            "status": certificate.status.value,
        }
        if certificate
        else None,
    }


async def queue_page(
    principal: Principal | None,
    *,
    first: int,
    after: str | None,
    public_base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The answer to `bench.operations.QUEUE`, read and shaped by hand; DomainError as GraphQL's."""
    page = await reads.list_requests(
        principal, company_id=None, status=RequestStatus.IN_REVIEW, first=first, after=after
    )
    ids = [r.id for r in page.items]
    companies, documents, history, certificates = await asyncio.gather(
        reads.by_ids(Company, [r.company_id for r in page.items]),
        reads.current_documents_by_request(ids),
        reads.history_by_request(ids),
        reads.certificate_by_request(ids),
    )
    today = local_date(now)
    return {
        "data": {
            "certificateRequests": {
                "totalCount": page.total_count,
                "pageInfo": {
                    "hasNextPage": page.has_next_page,
                    "endCursor": page.cursors[-1] if page.cursors else None,
                },
                "edges": [
                    {
                        "node": _queue_node(
                            r,
                            companies[r.company_id],
                            documents.get(r.id, []),
                            history.get(r.id, []),
                            certificates.get(r.id),
                            public_base_url,
                            today,
                        )
                    }
                    for r in page.items
                ],
            }
        }
    }


def database_lifespan(
    settings: Settings,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """The ORM opened for the application's life, as `certs serve` opens it."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await Tortoise.init(
            config=tortoise_config(settings.effective_database_url), _enable_global_fallback=True
        )
        try:
            yield
        finally:
            await Tortoise.close_connections()

    return lifespan


async def health(request: Request) -> Response:
    """What the benchmark polls until a server it started answers."""
    return json_response({"status": "ok"})


def as_served(build: Callable[[], Starlette]) -> Starlette:
    """An application built with the heap `certs serve` runs with (server/asgi.py): the decimal
    context made before any task, the start-up heap frozen and the collector's settings."""
    share_decimal_context()
    app = build()
    settle_startup_heap()
    return app


def create_plain_app(settings: Settings, clock: Clock | None = None) -> Starlette:
    clock = clock or SystemClock()

    async def tracking(request: Request) -> Response:
        principal = await principal_from_header(request.headers.get("authorization"), clock)
        if principal is None:
            return json_response({"error": "UNAUTHENTICATED"}, 401)
        now = clock.now()
        try:
            data = await reads.get_tracking(principal, None, now)
        except DomainError as error:
            return json_response({"error": error.code.value}, 404)
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
        return json_response(body)

    async def queue(request: Request) -> Response:
        principal = await principal_from_header(request.headers.get("authorization"), clock)
        if principal is None:
            return json_response({"error": "UNAUTHENTICATED"}, 401)
        try:
            first = int(request.query_params.get("first", reads.DEFAULT_PAGE_SIZE))
        except ValueError:
            return json_response({"error": "INVALID_INPUT"}, 400)
        try:
            body = await queue_page(
                principal,
                first=first,
                after=request.query_params.get("after"),
                public_base_url=settings.public_base_url,
                now=clock.now(),
            )
        except DomainError as error:
            return json_response({"error": error.code.value, "message": error.message}, 400)
        return json_response(body)

    return Starlette(
        routes=[Route("/tracking", tracking), Route("/queue", queue), Route("/health", health)],
        lifespan=database_lifespan(settings),
    )


async def _false() -> bool:
    return False


async def _none() -> None:
    return None


def app_from_env() -> Starlette:
    """uvicorn's `--factory`: importing this module (as the tests do) builds nothing."""
    return as_served(lambda: create_plain_app(Settings.from_env()))
