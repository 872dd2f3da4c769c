from domain.enums import CertificateStatus
from models import Certificate
from resolvers.context import AppInfo
from resolvers.ids import decode_id
from services.change_certificate_state import ChangeStateCommand, change_certificate_state


async def resolve(
    info: AppInfo, *, certificate_id: str, status: CertificateStatus, reason: str | None
) -> Certificate:
    """The company's edit action on its certificate: deactivate, reactivate or revoke."""
    return await change_certificate_state(
        info.context.deps,
        info.context.principal,
        ChangeStateCommand(
            certificate_id=decode_id(
                certificate_id, "Certificate", field="certificateId", what="el certificado"
            ),
            status=status,
            reason=reason,
        ),
    )
