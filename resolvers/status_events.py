"""Live status changes. Each event comes from the database's event outbox (never from Redis),
is authorised against the subscriber's own principal like a query, and is loaded with loaders
made for that event and shared by the subscribers of this process that receive it.

A subscriber that falls behind gets one error, code SUBSCRIPTION_LAGGING, then `complete`: it
must refetch what it shows and subscribe again. A socket whose token is revoked receives nothing
more (and is closed with 4403, `server.live_sessions`)."""

from collections.abc import AsyncGenerator
from contextvars import ContextVar
from typing import Literal

from graphql import GraphQLError

from events.bus import SubscriptionLagging
from events.messages import StatusChanged
from resolvers.context import AppInfo
from resolvers.ids import from_global_id
from resolvers.loaders import loaders_for_event
from services.principal import require_principal

SUBSCRIPTION_LAGGING = "SUBSCRIPTION_LAGGING"

#: The event a subscription is executing, in the task that reads it: `server.fanout` checks it
#: against each member of a group before writing the group's answer to that member's socket.
delivering: ContextVar[StatusChanged | None] = ContextVar("delivering", default=None)


def lagging_error() -> GraphQLError:
    return GraphQLError(
        "La suscripción se quedó atrás y se perdieron actualizaciones. Vuelve a consultar los "
        "datos y suscríbete de nuevo.",
        extensions={"code": SUBSCRIPTION_LAGGING},
    )


def watched_id(global_id: str | None, type_name: str) -> int | None:
    """The watched id; an id of another type can never match (0), like a foreign one."""
    if global_id is None:
        return None
    decoded = from_global_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else 0


async def status_events(
    info: AppInfo, subject: Literal["request", "certificate"], target: int | None
) -> AsyncGenerator[StatusChanged, None]:
    """The events of `subject` the caller may see (of `target` only, when given). Raises the
    domain's error before subscribing when there is no caller."""
    principal = require_principal(info.context.principal)
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
                delivering.set(event)
                yield event
        except SubscriptionLagging:
            raise lagging_error() from None
