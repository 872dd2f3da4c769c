"""The in-process bus: every subscriber gets its own bounded inbox; a slow one drops, never blocks."""

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from events.messages import StatusChanged

logger = logging.getLogger(__name__)

SUBSCRIBER_QUEUE_SIZE = 1000


class EventBus(Protocol):
    async def publish(self, event: StatusChanged) -> None: ...

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[StatusChanged]]:
        """An async context manager yielding the stream of events published from now on."""
        ...


class Inbox:
    """One subscriber's bounded, single-reader queue of events.

    Not `asyncio.Queue`: it keeps four deques from birth (about 3 KiB), and a subscriber is idle
    nearly all its life, thousands of them per process (README, Performance: memory per idle
    subscriber). This holds no deque while empty and a future only while its reader waits.
    """

    __slots__ = ("_capacity", "_events", "_waiter")

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._events: deque[StatusChanged] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put(self, event: StatusChanged) -> bool:
        """False, and nothing kept, when the inbox is full."""
        if self._events is None:
            self._events = deque()
        elif len(self._events) >= self._capacity:
            return False
        self._events.append(event)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        return True

    async def get(self) -> StatusChanged:
        while not self._events:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        event = self._events.popleft()
        if not self._events:
            self._events = None
        return event


class InProcessBus:
    def __init__(self) -> None:
        self._inboxes: set[Inbox] = set()

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
        inbox = Inbox(SUBSCRIBER_QUEUE_SIZE)
        self._inboxes.add(inbox)
        try:
            yield _drain(inbox)
        finally:
            self._inboxes.discard(inbox)


async def _drain(inbox: Inbox) -> AsyncIterator[StatusChanged]:
    while True:
        yield await inbox.get()
