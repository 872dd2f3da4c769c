"""The certificates' part of the root types: the company's edit action and live changes."""

from collections.abc import AsyncGenerator

import strawberry

from domain.errors import DomainError
from resolvers.certificates import change_certificate_state, subscriptions
from resolvers.context import AppInfo
from schema.certificates.inputs import ChangeCertificateStateInput
from schema.certificates.payloads import ChangeCertificateStatePayload
from schema.certificates.types import Certificate, CertificateStatusChange
from schema.core.errors import PublicError
from schema.core.guard import payload_or_errors


async def resolve_change_state(
    info: AppInfo, input: ChangeCertificateStateInput
) -> ChangeCertificateStatePayload:
    """The company's edit action on its certificate: deactivate, reactivate or revoke."""

    async def run() -> ChangeCertificateStatePayload:
        row = await change_certificate_state.resolve(
            info, certificate_id=input.certificate_id, status=input.status, reason=input.reason
        )
        return ChangeCertificateStatePayload(certificate=Certificate.from_row(row))

    return await payload_or_errors(info, run, ChangeCertificateStatePayload)


async def resolve_status_changed(
    info: AppInfo, certificate_id: strawberry.ID | None = None
) -> AsyncGenerator[CertificateStatusChange, None]:
    """Every change the viewer may see; only that certificate's when the id is given."""
    try:
        async for event in subscriptions.events(info, certificate_id):
            change = await subscriptions.change(info, event)
            if change is not None:
                yield CertificateStatusChange.from_row(change)
    except DomainError as error:  # no caller: refused before subscribing
        raise PublicError(error) from error


change_state = strawberry.mutation(resolver=resolve_change_state)
status_changed = strawberry.subscription(resolver=resolve_status_changed)
