from resolvers.guard import payload_or_errors
from resolvers.uploads import read_uploads
from schema.context import AppInfo
from schema.inputs import SubmitCertificateRequestInput
from schema.node import decode_optional_id
from schema.payloads import SubmitCertificateRequestPayload
from schema.requests import CertificateRequest
from services.submit_certificate_request import (
    LegalRepresentative,
    SubmitCommand,
    submit_certificate_request,
)


async def resolve(
    info: AppInfo, input: SubmitCertificateRequestInput
) -> SubmitCertificateRequestPayload:
    """A company user (or an operator, naming the company) submits a request with its documents."""
    deps = info.context.deps

    async def run() -> SubmitCertificateRequestPayload:
        documents = await read_uploads(input.documents, deps.max_document_bytes)
        rep = input.legal_representative
        request = await submit_certificate_request(
            deps,
            info.context.principal,
            SubmitCommand(
                documents=documents,
                legal_representative=LegalRepresentative(rep.name, rep.id_type, rep.id_number),
                validity_starts_on=input.validity_starts_on,
                idempotency_key=input.idempotency_key,
                company_id=decode_optional_id(
                    input.company_id, "Company", field="companyId", what="la empresa"
                ),
            ),
        )
        return SubmitCertificateRequestPayload(request=CertificateRequest.from_row(request))

    return await payload_or_errors(info, run, SubmitCertificateRequestPayload)
