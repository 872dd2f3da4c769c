"""The certificates' part of the root types: the company's edit action, live changes, coverage on
a date and the operators' list of certificates expiring in a period."""

from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated

import strawberry

from domain.errors import DomainError
from resolvers.certificates import change_certificate_state, coverage, subscriptions
from resolvers.context import AppInfo
from schema.certificates.inputs import ChangeCertificateStateInput
from schema.certificates.payloads import ChangeCertificateStatePayload
from schema.certificates.types import (
    Certificate,
    CertificateConnection,
    CertificateCoverage,
    CertificateEdge,
    CertificateStatusChange,
)
from schema.core.errors import PublicError
from schema.core.guard import or_public_error, payload_or_errors
from schema.core.pagination import PageInfo


async def resolve_change_state(
    info: AppInfo, input: ChangeCertificateStateInput
) -> ChangeCertificateStatePayload:
    """The company's edit action on its certificate: deactivate, reactivate or revoke."""

    async def run() -> ChangeCertificateStatePayload:
        row = await change_certificate_state.resolve(
            info, certificate_id=input.certificate_id, status=input.status, reason=input.reason
        )
        return ChangeCertificateStatePayload(certificate=Certificate.from_row(row))

    return await payload_or_errors(info, run, ChangeCertificateStatePayload)


async def resolve_status_changed(
    info: AppInfo, certificate_id: strawberry.ID | None = None
) -> AsyncGenerator[CertificateStatusChange, None]:
    """Every change the viewer may see; only that certificate's when the id is given."""
    try:
        async for event in subscriptions.events(info, certificate_id):
            change = await subscriptions.change(info, event)
            if change is not None:
                yield CertificateStatusChange.from_row(change)
    except DomainError as error:  # no caller: refused before subscribing
        raise PublicError(error) from error


async def resolve_certificate_coverage(
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
    result = await or_public_error(
        coverage.certificate_coverage(info, company_id=company_id, on=on)
    )
    return CertificateCoverage(
        on=on,
        covered=result.coverage.covered,
        certificate=Certificate.from_row(result.certificate) if result.certificate else None,
        reason=result.coverage.reason,
        message=result.coverage.message,
    )


async def resolve_certificates_expiring_between(
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
    page = await or_public_error(
        coverage.certificates_expiring_between(info, start=from_, end=to, first=first, after=after)
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


change_state = strawberry.mutation(resolver=resolve_change_state)
status_changed = strawberry.subscription(resolver=resolve_status_changed)
certificate_coverage = strawberry.field(
    resolver=resolve_certificate_coverage,
    description="Can the company sign on this date? companyId: reviewers and operators.",
)
certificates_expiring_between = strawberry.field(
    resolver=resolve_certificates_expiring_between,
    description="Operators: certificates expiring in a period, paged.",
)
