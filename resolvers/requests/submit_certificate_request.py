from collections.abc import Sequence
from datetime import date

from domain.enums import IdentityDocumentType
from models import CertificateRequest
from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from resolvers.uploads import DocumentUploadFields, read_uploads
from services.submit_certificate_request import (
    LegalRepresentative,
    SubmitCommand,
    submit_certificate_request,
)


async def resolve(
    info: AppInfo,
    *,
    documents: Sequence[DocumentUploadFields],
    representative_name: str,
    representative_id_type: IdentityDocumentType,
    representative_id_number: str,
    validity_starts_on: date | None,
    idempotency_key: str | None,
    company_id: str | None,
) -> CertificateRequest:
    """A company user (or an operator, naming the company) submits a request with its documents."""
    deps = info.context.deps
    uploaded = await read_uploads(documents, deps.max_document_bytes)
    return await submit_certificate_request(
        deps,
        info.context.principal,
        SubmitCommand(
            documents=uploaded,
            legal_representative=LegalRepresentative(
                representative_name, representative_id_type, representative_id_number
            ),
            validity_starts_on=validity_starts_on,
            idempotency_key=idempotency_key,
            company_id=decode_optional_id(
                company_id, "Company", field="companyId", what="la empresa"
            ),
        ),
    )
