"""Root fields: certificateCoverage and certificatesExpiringBetween."""

from datetime import date
from typing import Annotated

import strawberry

from resolvers.guard import or_public_error
from schema.certificates import Certificate
from schema.context import AppInfo
from schema.coverage import CertificateConnection, CertificateCoverage, CertificateEdge
from schema.node import decode_optional_id
from schema.requests import PageInfo
from services.coverage import certificate_coverage as load_coverage
from services.coverage import certificates_expiring_between as load_expiring


async def certificate_coverage(
    info: AppInfo,
    on: Annotated[date, strawberry.argument(description="The date to sign on (Bogotá).")],
    company_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(
            description="Reviewers and operators: the company. Company users: omit."
        ),
    ] = None,
) -> CertificateCoverage:
    """Can the company sign on this date? Which certificate, and if not, why."""

    async def load() -> CertificateCoverage:
        pk = decode_optional_id(company_id, "Company", field="companyId", what="la empresa")
        result = await load_coverage(info.context.principal, pk, on)
        return CertificateCoverage(
            on=on,
            covered=result.coverage.covered,
            certificate=Certificate.from_row(result.certificate) if result.certificate else None,
            reason=result.coverage.reason,
            message=result.coverage.message,
        )

    return await or_public_error(load())


async def certificates_expiring_between(
    info: AppInfo,
    from_: Annotated[
        date, strawberry.argument(name="from", description="First day (Bogotá), included.")
    ],
    to: Annotated[date, strawberry.argument(description="Last day (Bogotá), included.")],
    first: Annotated[
        int | None, strawberry.argument(description="Page size (default 50, at most 200).")
    ] = None,
    after: Annotated[
        str | None, strawberry.argument(description="The endCursor of the previous page.")
    ] = None,
) -> CertificateConnection:
    """Operators: certificates that expire from `from` to `to`, soonest first (not revoked,
    not already renewed), to plan a support campaign."""

    async def load() -> CertificateConnection:
        page = await load_expiring(
            info.context.principal, start=from_, end=to, first=first, after=after
        )
        return CertificateConnection(
            edges=[
                CertificateEdge(cursor=cursor, node=Certificate.from_row(row))
                for row, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=page.total_count,
        )

    return await or_public_error(load())
