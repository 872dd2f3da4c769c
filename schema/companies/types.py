"""Companies, their principal contact and their tracking screen."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.notices import Notice as NoticeData
from models import Company as CompanyRow
from resolvers.companies import queries
from resolvers.context import AppInfo
from schema.core.enums import (
    CertificateRequestKind,
    CertificateRequestStatus,
    NoticeCode,
    PersonType,
)
from schema.core.guard import or_public_error
from schema.core.lazy import DomainType
from schema.core.node import Node, to_global_id

if TYPE_CHECKING:
    from schema.certificates.types import Certificate
    from schema.requests.types import CertificateRequest, CertificateRequestConnection
    from services.tracking import Tracking

CertificateRef = Annotated["Certificate", strawberry.lazy("schema.certificates.types")]
RequestRef = Annotated["CertificateRequest", strawberry.lazy("schema.requests.types")]
ConnectionRef = Annotated["CertificateRequestConnection", strawberry.lazy("schema.requests.types")]
_Certificate = DomainType("schema.certificates.types", "Certificate")
_Request = DomainType("schema.requests.types", "CertificateRequest")
_Connection = DomainType("schema.requests.types", "CertificateRequestConnection")


@strawberry.type(description="The company's main contact: every email goes to this address.")
class Contact:
    name: str
    email: str


@strawberry.type(description="A message at the top of the tracking screen.")
class Notice:
    code: NoticeCode
    message: str
    redirect_to_tracking: bool

    @classmethod
    def from_data(cls, notice: NoticeData) -> "Notice":
        return cls(
            code=notice.code,
            message=notice.message,
            redirect_to_tracking=notice.redirect_to_tracking,
        )


@strawberry.type(
    description="A company that signs its electronic invoices with its own certificate."
)
class Company(Node):
    """Plain fields are copied from the row (Strawberry reads them without a resolver call:
    docs/performance.md); methods are the fields that load something or need the request."""

    row: strawberry.Private[CompanyRow]
    nit: str = strawberry.field(description='Formatted with its check digit, e.g. "900123456-8".')
    legal_name: str
    person_type: PersonType
    principal_contact: Contact

    @classmethod
    def from_row(cls, row: CompanyRow) -> "Company":
        return cls(
            id=to_global_id("Company", row.id),
            row=row,
            nit=row.nit,
            legal_name=row.legal_name,
            person_type=row.person_type,
            principal_contact=Contact(name=row.contact_name, email=row.contact_email),
        )

    @strawberry.field
    async def tracking(self, info: AppInfo) -> "CertificateTracking":
        return CertificateTracking.from_data(await queries.tracking(info, self.row))

    @strawberry.field(description="Newest first.")
    async def certificates(self, info: AppInfo) -> list[CertificateRef]:
        found = await queries.certificates(info, self.row.id)
        return [_Certificate.from_row(row) for row in found]

    @strawberry.field
    async def certificate_requests(
        self,
        info: AppInfo,
        first: int | None = None,
        after: str | None = None,
        status: CertificateRequestStatus | None = None,
    ) -> ConnectionRef:
        page = await or_public_error(
            queries.certificate_requests(info, self.row.id, first=first, after=after, status=status)
        )
        return _Connection.type.from_page(page)  # type: ignore[no-any-return]


@strawberry.type(description="The tracking screen: «Haz seguimiento al trámite».")
class CertificateTracking:
    company: Company
    certificate: CertificateRef | None = strawberry.field(
        description="The ACTIVE one, else the most recent."
    )
    latest_request: RequestRef | None
    notices: list[Notice]
    can_submit_request: bool = strawberry.field(
        description="Whether submitCertificateRequest would be accepted now (the same decision): "
        "false while a request is open or the certificate is before its renewal window."
    )
    next_request_kind: CertificateRequestKind | None = strawberry.field(
        description="What a submission now would be; null when it is refused."
    )
    request_awaiting_correction: RequestRef | None = strawberry.field(
        description="The REJECTED request to correct and resubmit (or withdraw). While there is "
        "one, canSubmitRequest is false and a submission is refused with "
        "REQUEST_AWAITING_CORRECTION."
    )

    @classmethod
    def from_data(cls, data: "Tracking") -> "CertificateTracking":
        return cls(
            company=Company.from_row(data.company),
            certificate=_Certificate.from_row(data.certificate) if data.certificate else None,
            latest_request=_Request.from_row(data.latest_request) if data.latest_request else None,
            notices=[Notice.from_data(n) for n in data.notices],
            can_submit_request=data.can_submit_request,
            next_request_kind=data.next_request_kind,
            request_awaiting_correction=_Request.from_row(data.request_awaiting_correction)
            if data.request_awaiting_correction
            else None,
        )
