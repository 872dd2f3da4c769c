from collections.abc import Sequence
from datetime import date

from domain.enums import IdentityDocumentType
from models import CertificateRequest
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from resolvers.uploads import DocumentUploadFields, read_uploads
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from services.submit_certificate_request import LegalRepresentative


async def resolve(
    info: AppInfo,
    *,
    request_id: str,
    documents: Sequence[DocumentUploadFields],
    note: str | None,
    representative: tuple[str, IdentityDocumentType, str] | None = None,
    validity_starts_on: date | None = None,
) -> CertificateRequest:
    """After a rejection: the same request again, replacing every flagged document and/or
    correcting the form (the representative as name, id type and number)."""
    deps = info.context.deps
    uploaded = await read_uploads(documents, deps.max_document_bytes)
    return await resubmit_certificate_request(
        deps,
        info.context.principal,
        ResubmitCommand(
            request_id=decode_id(
                request_id, "CertificateRequest", field="requestId", what="la solicitud"
            ),
            documents=uploaded,
            note=note,
            legal_representative=LegalRepresentative(*representative) if representative else None,
            validity_starts_on=validity_starts_on,
        ),
    )
