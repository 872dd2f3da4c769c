"""Announcing a change to live subscribers: one event-outbox row, written inside the change's own
transaction (committed with it or not at all). Serving processes read the rows and fan them out
(`events.feed`); nothing here waits on Redis."""

from events.messages import StatusChanged
from models import LiveEvent, LiveEventKind

_KINDS = {
    "request": LiveEventKind.REQUEST_STATUS,
    "certificate": LiveEventKind.CERTIFICATE_STATUS,
}


async def announce_status_change(event: StatusChanged) -> None:
    await LiveEvent.create(
        kind=_KINDS[event.subject],
        subject_id=event.subject_id,
        company_id=event.company_id,
        change_id=event.change_id,
    )


async def announce_principal_change(user_id: int) -> None:
    """The user's tokens or standing changed: every process checks their open sockets again."""
    await LiveEvent.create(kind=LiveEventKind.PRINCIPAL, subject_id=user_id)
