"""Companies, their principal contact and their tracking screen."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.notices import Notice as NoticeData
from models import Company as CompanyRow
from schema.context import AppInfo
from schema.enums import CertificateRequestKind, CertificateRequestStatus, NoticeCode, PersonType
from schema.node import Node, to_global_id
from services.tracking import Tracking, load_tracking

if TYPE_CHECKING:
    from schema.certificates import Certificate
    from schema.requests import CertificateRequest, CertificateRequestConnection

CertificateRef = Annotated["Certificate", strawberry.lazy("schema.certificates")]
RequestRef = Annotated["CertificateRequest", strawberry.lazy("schema.requests")]
ConnectionRef = Annotated["CertificateRequestConnection", strawberry.lazy("schema.requests")]


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
    row: strawberry.Private[CompanyRow]

    @classmethod
    def from_row(cls, row: CompanyRow) -> "Company":
        return cls(id=to_global_id("Company", row.id), row=row)

    @strawberry.field(description='Formatted with its check digit, e.g. "900123456-8".')
    def nit(self) -> str:
        return self.row.nit

    @strawberry.field
    def legal_name(self) -> str:
        return self.row.legal_name

    @strawberry.field
    def person_type(self) -> PersonType:
        return self.row.person_type

    @strawberry.field
    def principal_contact(self) -> Contact:
        return Contact(name=self.row.contact_name, email=self.row.contact_email)

    @strawberry.field
    async def tracking(self, info: AppInfo) -> "CertificateTracking":
        return await CertificateTracking.for_company(info, self.row)

    @strawberry.field(description="Newest first.")
    async def certificates(self, info: AppInfo) -> list[CertificateRef]:
        from schema.certificates import Certificate

        rows = await info.context.loaders.certificates_by_company.load(self.row.id)
        return [Certificate.from_row(row) for row in rows]

    @strawberry.field
    async def certificate_requests(
        self,
        info: AppInfo,
        first: int | None = None,
        after: str | None = None,
        status: CertificateRequestStatus | None = None,
    ) -> ConnectionRef:
        from resolvers.queries import request_connection

        return await request_connection(
            info, first=first, after=after, status=status, company_id=self.row.id
        )


@strawberry.type(description="The tracking screen: «Haz seguimiento al trámite».")
class CertificateTracking:
    data: strawberry.Private[Tracking]

    @classmethod
    async def for_company(cls, info: AppInfo, company: CompanyRow) -> "CertificateTracking":
        return cls(data=await load_tracking(company, info.context.deps.clock.now()))

    @strawberry.field
    def company(self) -> Company:
        return Company.from_row(self.data.company)

    @strawberry.field(description="The ACTIVE one, else the most recent.")
    def certificate(self) -> CertificateRef | None:
        from schema.certificates import Certificate

        row = self.data.certificate
        return Certificate.from_row(row) if row else None

    @strawberry.field
    def latest_request(self) -> RequestRef | None:
        from schema.requests import CertificateRequest

        row = self.data.latest_request
        return CertificateRequest.from_row(row) if row else None

    @strawberry.field
    def notices(self) -> list[Notice]:
        return [Notice.from_data(n) for n in self.data.notices]

    @strawberry.field
    def can_submit_request(self) -> bool:
        return self.data.can_submit_request

    @strawberry.field(description="What a submission now would be; null when it is refused.")
    def next_request_kind(self) -> CertificateRequestKind | None:
        return self.data.next_request_kind
