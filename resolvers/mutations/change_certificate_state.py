from resolvers.guard import payload_or_errors
from schema.certificates import Certificate
from schema.context import AppInfo
from schema.inputs import ChangeCertificateStateInput
from schema.node import decode_id
from schema.payloads import ChangeCertificateStatePayload
from services.change_certificate_state import ChangeStateCommand, change_certificate_state


async def resolve(
    info: AppInfo, input: ChangeCertificateStateInput
) -> ChangeCertificateStatePayload:
    """The company's edit action on its certificate: deactivate, reactivate or revoke."""

    async def run() -> ChangeCertificateStatePayload:
        certificate = await change_certificate_state(
            info.context.deps,
            info.context.principal,
            ChangeStateCommand(
                certificate_id=decode_id(
                    input.certificate_id,
                    "Certificate",
                    field="certificateId",
                    what="el certificado",
                ),
                status=input.status,
                reason=input.reason,
            ),
        )
        return ChangeCertificateStatePayload(certificate=Certificate.from_row(certificate))

    return await payload_or_errors(info, run, ChangeCertificateStatePayload)
