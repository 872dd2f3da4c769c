from datetime import datetime

from models import Certificate, CertificateRequest
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.approve_certificate_request import ApproveCommand, approve_certificate_request


async def resolve(
    info: AppInfo,
    *,
    request_id: str,
    serial_number: str,
    valid_from: datetime,
    valid_until: datetime,
) -> tuple[CertificateRequest, Certificate]:
    """A reviewer approves: the certificate is issued with the given serial and validity."""
    return await approve_certificate_request(
        info.context.deps,
        info.context.principal,
        ApproveCommand(
            request_id=decode_id(
                request_id, "CertificateRequest", field="requestId", what="la solicitud"
            ),
            serial_number=serial_number,
            valid_from=valid_from,
            valid_until=valid_until,
        ),
    )
