""" "Can we sign on this date?" and certificates expiring in a period (operators), as API types."""

from datetime import date

import strawberry

from domain.coverage import CoverageReason
from schema.certificates import Certificate
from schema.requests import PageInfo

strawberry.enum(
    CoverageReason,
    name="CertificateCoverageReason",
    description="Why no certificate covers the date: NO_CERTIFICATE (the company has none), "
    "INACTIVE, REVOKED, EXPIRED, NOT_YET_STARTED (the next one starts later).",
)


@strawberry.type(
    description="Whether a company can sign on a date, with which certificate, and if not why."
)
class CertificateCoverage:
    on: date = strawberry.field(description="The date asked about (Bogotá).")
    covered: bool = strawberry.field(
        description="True when an ACTIVE certificate (or an ISSUED one that has started) covers it."
    )
    certificate: Certificate | None = strawberry.field(
        description="The certificate that covers the date, or the one that explains why none does."
    )
    reason: CoverageReason | None = strawberry.field(description="Null when covered.")
    message: str = strawberry.field(description="What a front end shows, in Spanish.")


@strawberry.type(description="A certificate in a page.")
class CertificateEdge:
    cursor: str = strawberry.field(description="Pass as `after` for the next page.")
    node: Certificate = strawberry.field(description="The certificate.")


@strawberry.type(description="A page of certificates, soonest expiry first.")
class CertificateConnection:
    edges: list[CertificateEdge] = strawberry.field(description="This page.")
    page_info: PageInfo = strawberry.field(description="Whether there is more.")
    total_count: int = strawberry.field(description="All the certificates that match.")
