"""Root query fields."""

import strawberry

from domain.enums import RequestStatus
from models import Certificate as CertificateRow
from models import CertificateRequest as RequestRow
from models import Company as CompanyRow
from models import RequestDocument as DocumentRow
from models import User as UserRow
from resolvers.guard import or_public_error
from schema.certificates import Certificate
from schema.companies import CertificateTracking, Company
from schema.context import AppInfo
from schema.node import Node, decode_optional_id, from_global_id
from schema.requests import (
    CertificateRequest,
    CertificateRequestConnection,
    CertificateRequestEdge,
    PageInfo,
    RequestDocument,
)
from schema.users import User, Viewer
from services import reads

NODE_TYPES = {
    "Company": (CompanyRow, Company),
    "CertificateRequest": (RequestRow, CertificateRequest),
    "Certificate": (CertificateRow, Certificate),
    "RequestDocument": (DocumentRow, RequestDocument),
    "User": (UserRow, User),
}


async def node(info: AppInfo, id: strawberry.ID) -> Node | None:
    """Any object by its global id; null when it does not exist or the caller may not see it."""
    decoded = from_global_id(id)
    if decoded is None or decoded[0] not in NODE_TYPES:
        return None
    model, graphql_type = NODE_TYPES[decoded[0]]
    row = await or_public_error(reads.get_visible(info.context.principal, model, decoded[1]))
    return graphql_type.from_row(row) if row is not None else None  # type: ignore[attr-defined]


async def viewer(info: AppInfo) -> Viewer:
    user = await or_public_error(reads.get_user(info.context.principal))
    company = await info.context.loaders.company.load(user.company_id) if user.company_id else None
    return Viewer.of(user, company)


async def certificate_tracking(
    info: AppInfo, company_id: strawberry.ID | None = None
) -> CertificateTracking:
    async def load() -> CertificateTracking:
        pk = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
        tracking = await reads.get_tracking(
            info.context.principal, pk, info.context.deps.clock.now()
        )
        return CertificateTracking.from_data(tracking)

    return await or_public_error(load())


async def request_connection(
    info: AppInfo,
    *,
    first: int | None,
    after: str | None,
    status: RequestStatus | None,
    company_id: int | None,
) -> CertificateRequestConnection:
    page = await or_public_error(
        reads.list_requests(
            info.context.principal, company_id=company_id, status=status, first=first, after=after
        )
    )
    edges = [
        CertificateRequestEdge(cursor=cursor, node=CertificateRequest.from_row(row))
        for row, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return CertificateRequestConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        total_count=page.total_count,
    )


async def certificate_requests(
    info: AppInfo,
    first: int | None = None,
    after: str | None = None,
    status: RequestStatus | None = None,
    company_id: strawberry.ID | None = None,
) -> CertificateRequestConnection:
    """Reviewers and operators see every company's requests; a company user its own."""

    async def load() -> CertificateRequestConnection:
        pk = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
        return await request_connection(
            info, first=first, after=after, status=status, company_id=pk
        )

    return await or_public_error(load())
