"""Certificate requests («solicitudes»), their documents, history and the Relay connection."""

from collections.abc import Awaitable
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.calendar import expected_decision_by, local_date
from domain.enums import RequestStatus
from domain.request_lifecycle import request_status_label
from models import CertificateRequest as RequestRow
from models import RequestDocument as DocumentRow
from models import RequestStatusChange as ChangeRow
from resolvers import rows
from resolvers.context import AppInfo
from resolvers.requests import queries
from schema.core.actor import Actor
from schema.core.enums import (
    CertificateRequestKind,
    CertificateRequestStatus,
    DocumentKind,
    IdentityDocumentType,
)
from schema.core.lazy import DomainType
from schema.core.node import Node, to_global_id
from schema.core.pagination import PageInfo

if TYPE_CHECKING:
    from schema.certificates.types import Certificate
    from schema.companies.types import Company
    from services.reads import RequestPage

CompanyRef = Annotated["Company", strawberry.lazy("schema.companies.types")]
CertificateRef = Annotated["Certificate", strawberry.lazy("schema.certificates.types")]
_Company = DomainType("schema.companies.types", "Company")
_Certificate = DomainType("schema.certificates.types", "Certificate")


@strawberry.type
class LegalRepresentative:
    name: str
    id_type: IdentityDocumentType
    id_number: str


@strawberry.type(description="A request for the company's own certificate.")
class CertificateRequest(Node):
    """Plain fields are copied from the row (Strawberry reads them without a resolver call:
    docs/performance.md); methods are the fields that load something or need the request."""

    row: strawberry.Private[RequestRow]
    #: Set when a list loaded its requests' companies, documents, history and certificates
    #: beforehand (`CertificateRequestConnection.from_page`): those fields then answer at once.
    loaded: strawberry.Private[queries.RequestChildren | None] = None

    @classmethod
    def from_row(
        cls, row: RequestRow, loaded: queries.RequestChildren | None = None
    ) -> "CertificateRequest":
        return cls(
            id=to_global_id("CertificateRequest", row.id),
            row=row,
            loaded=loaded,
            kind=row.kind,
            status=row.status,
            status_label=request_status_label(row.status),
            attempt=row.attempt,
            legal_representative=LegalRepresentative(
                name=row.legal_representative_name,
                id_type=row.legal_representative_id_type,
                id_number=row.legal_representative_id_number,
            ),
            validity_starts_on=row.validity_starts_on,
            submitted_at=row.submitted_at,
            decided_at=row.decided_at,
            observations=row.observations,
        )

    # The four fields below answer at once from what the list loaded (`loaded`), else they
    # return the awaitable of their own load: a synchronous resolver may (graphql-core awaits
    # any awaitable result), and an answer at once skips the coroutine, the task and the future
    # that an `async def` field costs (docs/performance.md). `graphql_type` is the schema's type.
    @strawberry.field(graphql_type=CompanyRef)
    def company(self, info: AppInfo) -> "Company | Awaitable[Company]":
        if self.loaded is not None and self.loaded.companies is not None:
            return _Company.from_row(self.loaded.companies[self.row.company_id])  # type: ignore[no-any-return]
        return self._company(info)

    async def _company(self, info: AppInfo) -> "Company":
        return _Company.from_row(await rows.company(info, self.row.company_id))  # type: ignore[no-any-return]

    kind: CertificateRequestKind
    status: CertificateRequestStatus
    status_label: str = strawberry.field(
        description="En trámite, Rechazado, Completado or Desistida."
    )
    attempt: int = strawberry.field(description="1, then +1 at every resubmission.")
    legal_representative: LegalRepresentative
    validity_starts_on: date = strawberry.field(
        description="The certificate's year counts from here."
    )

    @strawberry.field(description="For kind RENEWAL: the certificate it renews.")
    async def renewal_of(self, info: AppInfo) -> CertificateRef | None:
        row = await rows.optional_certificate(info, self.row.renewal_of_id)
        return _Certificate.from_row(row) if row else None

    submitted_at: datetime = strawberry.field(description="Of the latest (re)submission.")

    @strawberry.field(description="Two Colombian business days after submittedAt.")
    def expected_decision_by(self) -> date:
        return self._decision_by

    @cached_property
    def _decision_by(self) -> date:
        """Counting business days costs some 16 µs: once per request, for both fields."""
        return expected_decision_by(self.row.submitted_at)

    @strawberry.field(description="In review past expectedDecisionBy.")
    def is_overdue(self, info: AppInfo) -> bool:
        if self.row.status is not RequestStatus.IN_REVIEW:
            return False
        today = local_date(info.context.deps.clock.now())
        return today > self._decision_by

    decided_at: datetime | None
    observations: str | None = strawberry.field(description="The reviewer's, on rejection.")

    @strawberry.field(
        description="The current set of documents.", graphql_type=list["RequestDocument"]
    )
    def documents(
        self, info: AppInfo
    ) -> "list[RequestDocument] | Awaitable[list[RequestDocument]]":
        if self.loaded is not None and self.loaded.documents is not None:
            base_url = info.context.public_base_url
            found = self.loaded.documents[self.row.id]
            return [RequestDocument.from_row(row, base_url) for row in found]
        return self._documents(info)

    async def _documents(self, info: AppInfo) -> "list[RequestDocument]":
        found = await queries.documents(info, self.row.id)
        base_url = info.context.public_base_url
        return [RequestDocument.from_row(row, base_url) for row in found]

    @strawberry.field(graphql_type=list["CertificateRequestStatusChange"])
    def history(
        self, info: AppInfo
    ) -> "list[CertificateRequestStatusChange] | Awaitable[list[CertificateRequestStatusChange]]":
        if self.loaded is not None and self.loaded.history is not None:
            return [
                CertificateRequestStatusChange.from_row(row, self.row)
                for row in self.loaded.history[self.row.id]
            ]
        return self._history(info)

    async def _history(self, info: AppInfo) -> "list[CertificateRequestStatusChange]":
        found = await queries.history(info, self.row.id)
        return [CertificateRequestStatusChange.from_row(row, self.row) for row in found]

    @strawberry.field(description="Once COMPLETED.", graphql_type=CertificateRef | None)
    def certificate(self, info: AppInfo) -> "Certificate | Awaitable[Certificate | None] | None":
        if self.loaded is not None and self.loaded.certificates is not None:
            row = self.loaded.certificates[self.row.id]
            return _Certificate.from_row(row) if row else None
        return self._certificate(info)

    async def _certificate(self, info: AppInfo) -> "Certificate | None":
        row = await queries.certificate_of(info, self.row.id)
        return _Certificate.from_row(row) if row else None


@strawberry.type(description="A file attached to a request.")
class RequestDocument(Node):
    row: strawberry.Private[DocumentRow]
    kind: DocumentKind
    file_name: str
    content_type: str = strawberry.field(
        description="Detected from the content, not from the name."
    )
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    issued_on: date | None = strawberry.field(
        description="Required for the chamber of commerce certificate."
    )
    observation: str | None = strawberry.field(
        description="What the reviewer asked to correct in it."
    )
    #: Filled from the row like the fields above, so that it is read without a resolver call
    #: (150 a page of the reviewer queue; docs/performance.md).
    download_url: str = strawberry.field(
        description="GET it with the same Authorization header; only callers who may see the "
        "request get the file."
    )

    @classmethod
    def from_row(cls, row: DocumentRow, public_base_url: str) -> "RequestDocument":
        """`public_base_url`: the service's, as the caller reaches it (the context's)."""
        global_id = to_global_id("RequestDocument", row.id)
        return cls(
            id=global_id,
            row=row,
            kind=row.kind,
            file_name=row.file_name,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            uploaded_at=row.uploaded_at,
            issued_on=row.issued_on,
            observation=row.observation,
            download_url=f"{public_base_url}/documents/{global_id}",
        )


@strawberry.type
class CertificateRequestStatusChange:
    row: strawberry.Private[ChangeRow]
    request_row: strawberry.Private[RequestRow | None]

    @classmethod
    def from_row(
        cls, row: ChangeRow, request: RequestRow | None = None
    ) -> "CertificateRequestStatusChange":
        return cls(
            row=row,
            request_row=request,
            from_status=row.from_status,
            to_status=row.to_status,
            at=row.at,
            actor=Actor(name=row.actor_name, role=row.actor_role),
            note=row.note,
        )

    @strawberry.field
    async def request(self, info: AppInfo) -> CertificateRequest:
        row = self.request_row or await rows.request(info, self.row.request_id)
        return CertificateRequest.from_row(row)

    from_status: CertificateRequestStatus | None = strawberry.field(
        description="Null for the first submission."
    )
    to_status: CertificateRequestStatus
    at: datetime
    actor: Actor
    note: str | None


@strawberry.type
class CertificateRequestEdge:
    cursor: str
    node: CertificateRequest


@strawberry.type
class CertificateRequestConnection:
    edges: list[CertificateRequestEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(
        cls, page: "RequestPage", loaded: queries.RequestChildren | None = None
    ) -> "CertificateRequestConnection":
        return cls(
            edges=[
                CertificateRequestEdge(cursor=cursor, node=CertificateRequest.from_row(row, loaded))
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
