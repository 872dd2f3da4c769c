from collections.abc import AsyncGenerator

from events.messages import StatusChanged
from models import CertificateStatusChange
from resolvers.context import AppInfo
from resolvers.status_events import status_events, watched_id


def events(info: AppInfo, certificate_id: str | None) -> AsyncGenerator[StatusChanged, None]:
    """Every certificate event the viewer may see; only that certificate's when the id is given."""
    return status_events(info, "certificate", watched_id(certificate_id, "Certificate"))


async def change(info: AppInfo, event: StatusChanged) -> CertificateStatusChange | None:
    """The change an event announces: the row the event feed read for it (one query for a whole
    batch of events), else loaded once for every subscriber that receives it."""
    return event.change or await info.context.loaders.certificate_change.load(event.change_id)
