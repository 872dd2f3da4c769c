"""The requests list (root and per company) and the nested fields of a request."""

from domain.enums import RequestStatus
from models import Certificate, RequestDocument, RequestStatusChange
from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from services import reads
from services.reads import RequestPage


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
