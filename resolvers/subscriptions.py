"""Live status changes. Each event comes from the database's event outbox (never from Redis), is
authorised against the subscriber's own principal like a query, and is loaded with loaders made
for that event and shared by the subscribers of this process that receive it.

A subscriber that falls behind gets one error, code SUBSCRIPTION_LAGGING, then `complete`: it
must refetch what it shows and subscribe again. A socket whose token is revoked receives nothing
more (and is closed with 4403, `server.live_sessions`)."""

from collections.abc import AsyncGenerator
from typing import Literal

import strawberry
from graphql import GraphQLError

from events.bus import SubscriptionLagging
from events.messages import StatusChanged
from resolvers.guard import or_public_error
from resolvers.loaders import loaders_for_event
from schema.certificates import CertificateStatusChange
from schema.context import AppInfo
from schema.node import from_global_id
from schema.requests import CertificateRequestStatusChange
from services.principal import Principal, require_principal

SUBSCRIPTION_LAGGING = "SUBSCRIPTION_LAGGING"


def lagging_error() -> GraphQLError:
    return GraphQLError(
        "La suscripción se quedó atrás y se perdieron actualizaciones. Vuelve a consultar los "
        "datos y suscríbete de nuevo.",
        extensions={"code": SUBSCRIPTION_LAGGING},
    )


def _target(global_id: strawberry.ID | None, type_name: str) -> int | None:
    """The watched id; an id of another type can never match (0), like a foreign one."""
    if global_id is None:
        return None
    decoded = from_global_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else 0


async def _events(
    info: AppInfo, subject: Literal["request", "certificate"], target: int | None
) -> AsyncGenerator[tuple[Principal, StatusChanged], None]:
    async def authenticated() -> Principal:
        return require_principal(info.context.principal)

    principal = await or_public_error(authenticated())
    session = info.context.session

    def wanted(event: StatusChanged) -> bool:
        """Asked by the bus as it delivers: the subscriber is woken only for what it may see."""
        return (
            event.subject == subject
            and principal.may_see_company(event.company_id)
            and (target is None or event.subject_id == target)
        )

    async with info.context.deps.bus.subscribe(wanted) as events:
        try:
            async for event in events:
                if session is not None and session.revoked:
                    return
                info.context.loaders = loaders_for_event(event)
                yield principal, event
        except SubscriptionLagging:
            raise lagging_error() from None


async def certificate_request_status_changed(
    info: AppInfo, request_id: strawberry.ID | None = None
) -> AsyncGenerator[CertificateRequestStatusChange, None]:
    """Every change the viewer may see; only that request's when the id is given."""
    async for _, event in _events(info, "request", _target(request_id, "CertificateRequest")):
        change = event.change or await info.context.loaders.request_change.load(event.change_id)
        if change is not None:
            yield CertificateRequestStatusChange.from_row(change)


async def certificate_status_changed(
    info: AppInfo, certificate_id: strawberry.ID | None = None
) -> AsyncGenerator[CertificateStatusChange, None]:
    """Every change the viewer may see; only that certificate's when the id is given."""
    async for _, event in _events(info, "certificate", _target(certificate_id, "Certificate")):
        change = event.change or await info.context.loaders.certificate_change.load(event.change_id)
        if change is not None:
            yield CertificateStatusChange.from_row(change)
