"""Scoped reads: what the API's queries return. A company user never reaches another company's rows.

Root reads check the principal. The batch reads at the bottom serve DataLoaders and load the
children of rows that were already authorised through a root read.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from tortoise.expressions import Q
from tortoise.models import Model

from domain.enums import CertificateStatus, ErrorCode, RequestStatus, Role
from domain.errors import DomainError
from domain.request_lifecycle import OPEN_REQUEST_STATUSES
from models import (
    Certificate,
    CertificateReminder,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    RequestDocument,
    RequestStatusChange,
    User,
)
from services.cursors import decode_keyset, encode_keyset
from services.principal import Principal, not_found, require_principal, target_company_id
from services.tracking import Tracking, load_tracking

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

M = TypeVar("M", bound=Model)


async def get_company(principal: Principal | None, company_id: int) -> Company:
    caller = require_principal(principal)
    if not caller.may_see_company(company_id):
        raise not_found("la empresa")
    company = await Company.get_or_none(id=company_id)
    if company is None:
        raise not_found("la empresa")
    return company


async def get_tracking(
    principal: Principal | None, company_id: int | None, now: datetime
) -> Tracking:
    caller = require_principal(principal)
    company = await get_company(caller, target_company_id(caller, company_id))
    return await load_tracking(company, now)


async def get_user(principal: Principal | None) -> User:
    caller = require_principal(principal)
    return await User.get(id=caller.user_id)


# --- Relay pagination of requests --------------------------------------------------------


@dataclass(frozen=True)
class RequestPage:
    items: list[CertificateRequest]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int


def encode_cursor(request: CertificateRequest) -> str:
    return encode_keyset(request.submitted_at, request.id)


async def list_requests(
    principal: Principal | None,
    *,
    company_id: int | None,
    status: RequestStatus | None,
    first: int | None,
    after: str | None,
) -> RequestPage:
    """Newest first; the IN_REVIEW queue oldest first, as reviewers work it."""
    caller = require_principal(principal)
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"`first` debe estar entre 0 y {MAX_PAGE_SIZE}.",
            field="first",
        )
    query = CertificateRequest.all()
    if company_id is not None or not caller.sees_every_company:
        scoped_id = target_company_id(caller, company_id)
        if not await Company.exists(id=scoped_id):
            raise not_found("la empresa")
        query = query.filter(company_id=scoped_id)
    if status is not None:
        query = query.filter(status=status)
    total = await query.count()

    ascending = status is RequestStatus.IN_REVIEW
    if after is not None:
        stamp, pk = decode_keyset(after)
        # (submitted_at, id) past the cursor, written as «at or past the stamp» (one range of the
        # index on status, submitted_at, id) and a filter: with the plain OR, PostgreSQL combined
        # two bitmap scans, one of them on `submitted_at` alone (docs/performance.md).
        if ascending:
            query = query.filter(
                Q(submitted_at__gte=stamp) & (Q(submitted_at__gt=stamp) | Q(id__gt=pk))
            )
        else:
            query = query.filter(
                Q(submitted_at__lte=stamp) & (Q(submitted_at__lt=stamp) | Q(id__lt=pk))
            )
    order = ("submitted_at", "id") if ascending else ("-submitted_at", "-id")
    rows = await query.order_by(*order).limit(size + 1)
    items = rows[:size]
    return RequestPage(
        items=items,
        cursors=[encode_cursor(r) for r in items],
        has_next_page=len(rows) > size,
        has_previous_page=after is not None,
        total_count=total,
    )


# --- Relay node lookup ----------------------------------------------------------------------


async def get_visible(principal: Principal | None, model: type[M], pk: int) -> M | None:
    """A row of `model` if the caller may see it; None for a missing and a foreign one alike."""
    caller = require_principal(principal)
    row = await model.get_or_none(id=pk)
    if row is None:
        return None
    company_id = await _owning_company_id(row)
    if company_id is None:
        return row if caller.role is Role.ADMIN or row.pk == caller.user_id else None
    return row if caller.may_see_company(company_id) else None


async def _owning_company_id(row: Model) -> int | None:
    if isinstance(row, Company):
        return row.id
    if isinstance(row, CertificateRequest | Certificate):
        return row.company_id
    if isinstance(row, RequestDocument):
        request = await CertificateRequest.get(id=row.request_id).only("id", "company_id")
        return request.company_id
    if isinstance(row, User):
        return row.company_id
    return None


# --- Batch reads for DataLoaders ------------------------------------------------------------


async def by_ids(model: type[M], ids: Sequence[int]) -> dict[int, M]:
    return {row.pk: row for row in await model.filter(id__in=list(set(ids)))}


def _group(rows: Iterable[M], key: str) -> dict[int, list[M]]:
    grouped: dict[int, list[M]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


async def certificates_by_company(company_ids: Sequence[int]) -> dict[int, list[Certificate]]:
    rows = await Certificate.filter(company_id__in=list(set(company_ids))).order_by(
        "-valid_from", "-id"
    )
    return _group(rows, "company_id")


async def current_documents_by_request(
    request_ids: Sequence[int],
) -> dict[int, list[RequestDocument]]:
    rows = await RequestDocument.filter(
        request_id__in=list(set(request_ids)), superseded_at=None
    ).order_by("id")
    return _group(rows, "request_id")


async def history_by_request(request_ids: Sequence[int]) -> dict[int, list[RequestStatusChange]]:
    rows = await RequestStatusChange.filter(request_id__in=list(set(request_ids))).order_by(
        "at", "id"
    )
    return _group(rows, "request_id")


async def history_by_certificate(
    certificate_ids: Sequence[int],
) -> dict[int, list[CertificateStatusChange]]:
    rows = await CertificateStatusChange.filter(
        certificate_id__in=list(set(certificate_ids))
    ).order_by("at", "id")
    return _group(rows, "certificate_id")


async def reminders_by_certificate(
    certificate_ids: Sequence[int],
) -> dict[int, list[CertificateReminder]]:
    """The expiry emails of each certificate, oldest first, with their outbox row (for sentAt)."""
    rows = (
        await CertificateReminder.filter(certificate_id__in=list(set(certificate_ids)))
        .select_related("email")
        .order_by("queued_at", "id")
    )
    return _group(rows, "certificate_id")


async def certificate_by_request(request_ids: Sequence[int]) -> dict[int, Certificate]:
    rows = await Certificate.filter(request_id__in=list(set(request_ids)))
    return {row.request_id: row for row in rows}


async def request_in_review_by_company(company_ids: Sequence[int]) -> dict[int, bool]:
    """Companies with an open request (in review, or rejected and awaiting correction): while
    one is open, no certificate of theirs can be renewed."""
    rows = await CertificateRequest.filter(
        company_id__in=list(set(company_ids)), status__in=sorted(OPEN_REQUEST_STATUSES)
    ).values_list("company_id", flat=True)
    return {int(cid): True for cid in rows}  # type: ignore[call-overload]


async def latest_request_by_company(company_ids: Sequence[int]) -> dict[int, CertificateRequest]:
    """The most recently submitted request of each company (the tracking screen's). One statement
    for any number of companies; a company has about one request a year (a resubmission is the
    same row), so reading them all and keeping the newest is cheap."""
    rows = await CertificateRequest.filter(company_id__in=list(set(company_ids))).order_by(
        "-submitted_at", "-id"
    )
    latest: dict[int, CertificateRequest] = {}
    for row in rows:
        latest.setdefault(row.company_id, row)
    return latest


async def open_requests_by_company(
    company_ids: Sequence[int],
) -> dict[int, list[CertificateRequest]]:
    """Each company's open requests (in review, or rejected and awaiting correction): at most one."""
    rows = await CertificateRequest.filter(
        company_id__in=list(set(company_ids)), status__in=sorted(OPEN_REQUEST_STATUSES)
    ).order_by("id")
    return _group(rows, "company_id")


async def revocation_reason_by_certificate(certificate_ids: Sequence[int]) -> dict[int, str]:
    """The reason given when each certificate was revoked (the latest, if any)."""
    rows = await CertificateStatusChange.filter(
        certificate_id__in=list(set(certificate_ids)), to_status=CertificateStatus.REVOKED
    ).order_by("at", "id")
    return {row.certificate_id: row.note for row in rows if row.note}
