"""The in-process bus: every subscriber gets its own bounded inbox; a slow one drops, never blocks."""

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from events.inbox import Inbox
from events.messages import StatusChanged

logger = logging.getLogger(__name__)

SUBSCRIBER_QUEUE_SIZE = 1000


class EventBus(Protocol):
    async def publish(self, event: StatusChanged) -> None: ...

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[StatusChanged]]:
        """An async context manager yielding the stream of events published from now on."""
        ...


class InProcessBus:
    def __init__(self) -> None:
        self._inboxes: set[Inbox[StatusChanged]] = set()

    async def publish(self, event: StatusChanged) -> None:
        self.deliver(event)

    def deliver(self, event: StatusChanged) -> None:
        for inbox in list(self._inboxes):
            if not inbox.put(event):
                logger.warning("subscriber queue full; dropping %s", event)

    @property
    def subscriber_count(self) -> int:
        return len(self._inboxes)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[StatusChanged]]:
        inbox: Inbox[StatusChanged] = Inbox(SUBSCRIBER_QUEUE_SIZE)
        self._inboxes.add(inbox)
        try:
            yield _drain(inbox)
        finally:
            self._inboxes.discard(inbox)


async def _drain(inbox: Inbox[StatusChanged]) -> AsyncIterator[StatusChanged]:
    while True:
        yield await inbox.get()
