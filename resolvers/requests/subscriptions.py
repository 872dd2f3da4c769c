from collections.abc import AsyncGenerator

from events.messages import StatusChanged
from models import RequestStatusChange
from resolvers.context import AppInfo
from resolvers.status_events import status_events, watched_id


def events(info: AppInfo, request_id: str | None) -> AsyncGenerator[StatusChanged, None]:
    """Every request event the viewer may see; only that request's when the id is given."""
    return status_events(info, "request", watched_id(request_id, "CertificateRequest"))


async def change(info: AppInfo, event: StatusChanged) -> RequestStatusChange | None:
    """The change an event announces: the row the event feed read for it (one query for a whole
    batch of events), else loaded once for every subscriber that receives it."""
    return event.change or await info.context.loaders.request_change.load(event.change_id)
