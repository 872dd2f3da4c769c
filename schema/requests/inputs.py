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
        default=None,
        description="Default: today in Colombia; never in the past, at most "
        "MAX_VALIDITY_START_DAYS (default 90) days ahead (VALIDITY_OUT_OF_BOUNDS).",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key returns the first result and creates nothing.",
    )
    company_id: strawberry.ID | None = strawberry.field(default=None, description="Operators only.")


@strawberry.input(
    description="A rejected request sent again: replaced documents and/or corrected form fields. "
    "One that replaces no document and corrects no field is refused (NOTHING_TO_RESUBMIT)."
)
class ResubmitCertificateRequestInput:
    request_id: strawberry.ID
    documents: list[DocumentUpload] = strawberry.field(
        description="Replacements; every document the reviewer flagged must be among them. "
        "May be empty when only form fields are corrected."
    )
    note: str | None = None
    legal_representative: LegalRepresentativeInput | None = strawberry.field(
        default=None,
        description="The corrected legal representative (for a natural person, the holder); "
        "null keeps the current one. Validated as at submission; recorded in history.",
    )
    validity_starts_on: date | None = strawberry.field(
        default=None,
        description="The corrected start of the validity: today or later, at most "
        "MAX_VALIDITY_START_DAYS (default 90) days ahead; null keeps the current one (moved to "
        "today if it already passed). Recorded in history.",
    )


@strawberry.input(description="Give up a rejected request (status WITHDRAWN, «Desistida»).")
class WithdrawCertificateRequestInput:
    request_id: strawberry.ID = strawberry.field(description="A REJECTED request of the company.")
    reason: str | None = strawberry.field(
        default=None, description="Why, for the history and the email; optional."
    )


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
    valid_from: datetime = strawberry.field(
        description="On or after the request's validityStartsOn, at most "
        "MAX_VALID_FROM_LAG_DAYS (default 30) days later. In the future, the certificate is "
        "ISSUED until then."
    )
    valid_until: datetime = strawberry.field(
        description="Between MIN_VALIDITY_MONTHS and MAX_VALIDITY_MONTHS (default 1 and 36) "
        "months after validFrom."
    )
