from resolvers.guard import payload_or_errors
from schema.certificates import Certificate
from schema.context import AppInfo
from schema.inputs import ApproveCertificateRequestInput
from schema.node import decode_id
from schema.payloads import ApproveCertificateRequestPayload
from schema.requests import CertificateRequest
from services.approve_certificate_request import ApproveCommand, approve_certificate_request


async def resolve(
    info: AppInfo, input: ApproveCertificateRequestInput
) -> ApproveCertificateRequestPayload:
    """A reviewer approves: the certificate is issued with the given serial and validity."""

    async def run() -> ApproveCertificateRequestPayload:
        request, certificate = await approve_certificate_request(
            info.context.deps,
            info.context.principal,
            ApproveCommand(
                request_id=decode_id(
                    input.request_id, "CertificateRequest", field="requestId", what="la solicitud"
                ),
                serial_number=input.serial_number,
                valid_from=input.valid_from,
                valid_until=input.valid_until,
            ),
        )
        return ApproveCertificateRequestPayload(
            request=CertificateRequest.from_row(request),
            certificate=Certificate.from_row(certificate),
        )

    return await payload_or_errors(info, run, ApproveCertificateRequestPayload)
