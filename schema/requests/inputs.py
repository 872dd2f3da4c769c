"""Mutation inputs, as the contract names them."""

from datetime import date, datetime

import strawberry
from strawberry.file_uploads import Upload

from schema.core.enums import DocumentKind, IdentityDocumentType


@strawberry.input(description="A file, by the GraphQL multipart request spec.")
class DocumentUpload:
    kind: DocumentKind
    file: Upload
    issued_on: date | None = strawberry.field(
        default=None, description="Required for the chamber of commerce certificate."
    )


@strawberry.input
class LegalRepresentativeInput:
    name: str
    id_type: IdentityDocumentType
    id_number: str


@strawberry.input
class SubmitCertificateRequestInput:
    documents: list[DocumentUpload]
    legal_representative: LegalRepresentativeInput
    validity_starts_on: date | None = strawberry.field(
        default=None, description="Default: today in Colombia; never in the past."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key returns the first result and creates nothing.",
    )
    company_id: strawberry.ID | None = strawberry.field(default=None, description="Operators only.")


@strawberry.input
class ResubmitCertificateRequestInput:
    request_id: strawberry.ID
    documents: list[DocumentUpload]
    note: str | None = None


@strawberry.input
class DocumentObservationInput:
    document_id: strawberry.ID
    observation: str


@strawberry.input
class RejectCertificateRequestInput:
    request_id: strawberry.ID
    observations: str
    document_observations: list[DocumentObservationInput] | None = None


@strawberry.input
class ApproveCertificateRequestInput:
    request_id: strawberry.ID
    serial_number: str
    valid_from: datetime
    valid_until: datetime
