from resolvers.guard import payload_or_errors
from schema.context import AppInfo
from schema.inputs import WithdrawCertificateRequestInput
from schema.node import decode_id
from schema.payloads import WithdrawCertificateRequestPayload
from schema.requests import CertificateRequest
from services.withdraw_certificate_request import WithdrawCommand, withdraw_certificate_request


async def resolve(
    info: AppInfo, input: WithdrawCertificateRequestInput
) -> WithdrawCertificateRequestPayload:
    """The company gives up a rejected request, so it may submit a new one."""

    async def run() -> WithdrawCertificateRequestPayload:
        request = await withdraw_certificate_request(
            info.context.deps,
            info.context.principal,
            WithdrawCommand(
                request_id=decode_id(
                    input.request_id, "CertificateRequest", field="requestId", what="la solicitud"
                ),
                reason=input.reason,
            ),
        )
        return WithdrawCertificateRequestPayload(request=CertificateRequest.from_row(request))

    return await payload_or_errors(info, run, WithdrawCertificateRequestPayload)
