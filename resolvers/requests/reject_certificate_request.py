from collections.abc import Sequence

from models import CertificateRequest
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.reject_certificate_request import (
    DocumentObservation,
    RejectCommand,
    reject_certificate_request,
)


async def resolve(
    info: AppInfo,
    *,
    request_id: str,
    observations: str,
    document_observations: Sequence[tuple[str, str]],
) -> CertificateRequest:
    """A reviewer rejects with observations, optionally flagging single documents
    (`document_observations`: pairs of a document's global id and its observation)."""
    flagged = [
        DocumentObservation(
            document_id=decode_id(
                document_id,
                "RequestDocument",
                field=f"documentObservations.{index}.documentId",
                what="el documento",
            ),
            observation=observation,
        )
        for index, (document_id, observation) in enumerate(document_observations)
    ]
    return await reject_certificate_request(
        info.context.deps,
        info.context.principal,
        RejectCommand(
            request_id=decode_id(
                request_id, "CertificateRequest", field="requestId", what="la solicitud"
            ),
            observations=observations,
            document_observations=flagged,
        ),
    )
