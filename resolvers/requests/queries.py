"""The requests list (root and per company) and the nested fields of a request."""

import asyncio
from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from domain.enums import RequestStatus
from models import Certificate, CertificateRequest, Company, RequestDocument, RequestStatusChange
from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from services import reads
from services.reads import RequestPage

T = TypeVar("T")


async def certificate_requests(
    info: AppInfo,
    *,
    first: int | None,
    after: str | None,
    status: RequestStatus | None,
    company_id: str | None,
) -> RequestPage:
    """Reviewers and operators see every company's requests; a company user its own."""
    pk = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
    return await reads.list_requests(
        info.context.principal, company_id=pk, status=status, first=first, after=after
    )


async def documents(info: AppInfo, request_id: int) -> list[RequestDocument]:
    return await info.context.loaders.documents_by_request.load(request_id)


async def history(info: AppInfo, request_id: int) -> list[RequestStatusChange]:
    return await info.context.loaders.history_by_request.load(request_id)


async def certificate_of(info: AppInfo, request_id: int) -> Certificate | None:
    return await info.context.loaders.certificate_by_request.load(request_id)


#: The fields of a request that `children` can load for a whole page, by their GraphQL names.
CHILD_FIELDS = frozenset({"company", "documents", "history", "certificate"})


@dataclass(frozen=True)
class RequestChildren:
    """What a page's requests show of their company, documents, history and certificate, loaded
    for the whole page at once through the operation's loaders: the same batch statements the
    fields would have made one by one, and the rows stay in the loaders for any other field that
    asks. Only what the query selects is loaded; a field whose part is None loads its own."""

    companies: dict[int, Company] | None = None
    documents: dict[int, list[RequestDocument]] | None = None
    history: dict[int, list[RequestStatusChange]] | None = None
    certificates: dict[int, Certificate | None] | None = None


async def children(
    info: AppInfo, requests: Sequence[CertificateRequest], selected: Set[str]
) -> RequestChildren | None:
    """The parts of `CHILD_FIELDS` in `selected` (the names the query asks of each request),
    loaded for all `requests` concurrently; None when it asks none of them."""
    wanted = CHILD_FIELDS & selected
    if not wanted or not requests:
        return None
    loaders = info.context.loaders
    ids = [r.id for r in requests]
    company_ids = list(dict.fromkeys(r.company_id for r in requests))

    async def by_request(loader: DataLoader[int, T], name: str) -> dict[int, T] | None:
        return dict(zip(ids, await loader.load_many(ids), strict=True)) if name in wanted else None

    async def companies() -> dict[int, Company] | None:
        if "company" not in wanted:
            return None
        found = await loaders.company.load_many(company_ids)
        return {cid: row for cid, row in zip(company_ids, found, strict=True) if row is not None}

    loaded_companies, documents, history, certificates = await asyncio.gather(
        companies(),
        by_request(loaders.documents_by_request, "documents"),
        by_request(loaders.history_by_request, "history"),
        by_request(loaders.certificate_by_request, "certificate"),
    )
    return RequestChildren(loaded_companies, documents, history, certificates)
