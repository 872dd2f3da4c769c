"""Root fields: certificateCoverage and certificatesExpiringBetween (rows and pages out)."""

from datetime import date

from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from services.coverage import CertificatePage, CompanyCoverage
from services.coverage import certificate_coverage as load_coverage
from services.coverage import certificates_expiring_between as load_expiring


async def certificate_coverage(
    info: AppInfo, *, company_id: str | None, on: date
) -> CompanyCoverage:
    """Can the company sign on this date? Which certificate, and if not, why."""
    pk = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
    return await load_coverage(info.context.principal, pk, on, info.context.deps.clock.now())


async def certificates_expiring_between(
    info: AppInfo, *, start: date, end: date, first: int | None, after: str | None
) -> CertificatePage:
    """Operators: certificates that expire from `start` to `end`, soonest first."""
    return await load_expiring(
        info.context.principal, start=start, end=end, first=first, after=after
    )
