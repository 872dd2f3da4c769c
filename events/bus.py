"""The in-process bus: every subscriber gets its own bounded inbox; a slow one drops, never blocks."""

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from events.inbox import Inbox
from events.messages import StatusChanged

logger = logging.getLogger(__name__)

SUBSCRIBER_QUEUE_SIZE = 1000


class EventBus(Protocol):
    """What the use cases publish to and subscriptions listen on. The app starts the bus in its
    lifespan and stops it at shutdown, whichever bus it is."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, event: StatusChanged) -> None: ...

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[StatusChanged]]:
        """An async context manager yielding the stream of events published from now on."""
        ...


class InProcessBus:
    def __init__(self) -> None:
        self._inboxes: set[Inbox[StatusChanged]] = set()

    async def start(self) -> None:
        """Nothing to connect to: in-process delivery needs no start."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def publish(self, event: StatusChanged) -> None:
        self.deliver(event)

    def deliver(self, event: StatusChanged) -> None:
        for inbox in list(self._inboxes):
            if not inbox.put(event):
                logger.warning("subscriber queue full; dropping %s", event)

    @property
    def subscriber_count(self) -> int:
        return len(self._inboxes)

    def subscribe(self) -> "Subscription":
        return Subscription(self._inboxes, Inbox(SUBSCRIBER_QUEUE_SIZE))


class Subscription:
    """One subscriber's place on the bus: registered while the `async with` lasts, and the stream
    of its events. A class rather than an `asynccontextmanager` over an async generator: those
    keep two suspended frames for the subscription's whole life (README, Performance: memory per
    idle subscriber)."""

    __slots__ = ("_inbox", "_inboxes")

    def __init__(self, inboxes: set[Inbox[StatusChanged]], inbox: Inbox[StatusChanged]) -> None:
        self._inboxes = inboxes
        self._inbox = inbox

    async def __aenter__(self) -> "Subscription":
        self._inboxes.add(self._inbox)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._inboxes.discard(self._inbox)

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> StatusChanged:
        return await self._inbox.get()
