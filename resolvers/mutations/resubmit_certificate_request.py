from resolvers.guard import payload_or_errors
from resolvers.uploads import read_uploads
from schema.context import AppInfo
from schema.inputs import ResubmitCertificateRequestInput
from schema.node import decode_id
from schema.payloads import ResubmitCertificateRequestPayload
from schema.requests import CertificateRequest
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from services.submit_certificate_request import LegalRepresentative


async def resolve(
    info: AppInfo, input: ResubmitCertificateRequestInput
) -> ResubmitCertificateRequestPayload:
    """After a rejection: the same request again, replacing every flagged document and/or
    correcting the form."""
    deps = info.context.deps

    async def run() -> ResubmitCertificateRequestPayload:
        documents = await read_uploads(input.documents, deps.max_document_bytes)
        rep = input.legal_representative
        request = await resubmit_certificate_request(
            deps,
            info.context.principal,
            ResubmitCommand(
                request_id=decode_id(
                    input.request_id, "CertificateRequest", field="requestId", what="la solicitud"
                ),
                documents=documents,
                note=input.note,
                legal_representative=LegalRepresentative(rep.name, rep.id_type, rep.id_number)
                if rep is not None
                else None,
                validity_starts_on=input.validity_starts_on,
            ),
        )
        return ResubmitCertificateRequestPayload(request=CertificateRequest.from_row(request))

    return await payload_or_errors(info, run, ResubmitCertificateRequestPayload)
