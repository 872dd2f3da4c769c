from models import CertificateRequest
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.withdraw_certificate_request import WithdrawCommand, withdraw_certificate_request


async def resolve(info: AppInfo, *, request_id: str, reason: str | None) -> CertificateRequest:
    """The company gives up a rejected request, so it may submit a new one."""
    return await withdraw_certificate_request(
        info.context.deps,
        info.context.principal,
        WithdrawCommand(
            request_id=decode_id(
                request_id, "CertificateRequest", field="requestId", what="la solicitud"
            ),
            reason=reason,
        ),
    )
