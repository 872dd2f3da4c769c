"""Live status changes. Each event is re-authorised per subscriber and loaded fresh, once, with
loaders made for it and shared by the subscribers of this process that receive it."""

from collections.abc import AsyncGenerator
from typing import Literal

from events.messages import StatusChanged
from resolvers.context import AppInfo
from resolvers.ids import from_global_id
from resolvers.loaders import loaders_for_event
from services.principal import require_principal


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
    async with info.context.deps.bus.subscribe() as events:
        async for event in events:
            if event.subject != subject or not principal.may_see_company(event.company_id):
                continue
            if target is not None and event.subject_id != target:
                continue
            info.context.loaders = loaders_for_event(event)
            yield event
