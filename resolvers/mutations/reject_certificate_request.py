from resolvers.guard import payload_or_errors
from schema.context import AppInfo
from schema.inputs import RejectCertificateRequestInput
from schema.node import decode_id
from schema.payloads import RejectCertificateRequestPayload
from schema.requests import CertificateRequest
from services.reject_certificate_request import (
    DocumentObservation,
    RejectCommand,
    reject_certificate_request,
)


async def resolve(
    info: AppInfo, input: RejectCertificateRequestInput
) -> RejectCertificateRequestPayload:
    """A reviewer rejects with observations, optionally flagging single documents."""

    async def run() -> RejectCertificateRequestPayload:
        observations = [
            DocumentObservation(
                document_id=decode_id(
                    item.document_id,
                    "RequestDocument",
                    field=f"documentObservations.{index}.documentId",
                    what="el documento",
                ),
                observation=item.observation,
            )
            for index, item in enumerate(input.document_observations or [])
        ]
        request = await reject_certificate_request(
            info.context.deps,
            info.context.principal,
            RejectCommand(
                request_id=decode_id(
                    input.request_id, "CertificateRequest", field="requestId", what="la solicitud"
                ),
                observations=input.observations,
                document_observations=observations,
            ),
        )
        return RejectCertificateRequestPayload(request=CertificateRequest.from_row(request))

    return await payload_or_errors(info, run, RejectCertificateRequestPayload)
