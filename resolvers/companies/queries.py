"""The tracking screen (root field and `Company.tracking`) and a company's certificates."""

from domain.enums import RequestStatus
from models import Certificate, Company
from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from services import reads
from services.reads import RequestPage
from services.tracking import Tracking, build_tracking, revoked_current


async def certificate_tracking(info: AppInfo, company_id: str | None) -> Tracking:
    pk = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
    return await reads.get_tracking(info.context.principal, pk, info.context.deps.clock.now())


async def tracking(info: AppInfo, company: Company) -> Tracking:
    """`Company.tracking`, through the loaders: inside a list, every company's tracking costs the
    same batched statements together, not a few each (no N+1)."""
    loaders = info.context.loaders
    now = info.context.deps.clock.now()
    certificates = await loaders.certificates_by_company.load(company.id)
    latest = await loaders.latest_request_by_company.load(company.id)
    open_requests = await loaders.open_requests_by_company.load(company.id)
    revoked = revoked_current(certificates, now)
    reasons: dict[int, str] = {}
    if revoked is not None:
        reason = await loaders.revocation_reason.load(revoked)
        if reason:
            reasons[revoked] = reason
    return build_tracking(company, certificates, latest, open_requests, now, reasons)


async def certificates(info: AppInfo, company_id: int) -> list[Certificate]:
    return await info.context.loaders.certificates_by_company.load(company_id)


async def certificate_requests(
    info: AppInfo,
    company_id: int,
    *,
    first: int | None,
    after: str | None,
    status: RequestStatus | None,
) -> RequestPage:
    return await reads.list_requests(
        info.context.principal, company_id=company_id, status=status, first=first, after=after
    )
