"""The in-process bus: every subscriber gets its own bounded queue; a slow one drops, never blocks."""

import asyncio
import logging
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


class InProcessBus:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[StatusChanged]] = set()

    async def publish(self, event: StatusChanged) -> None:
        self.deliver(event)

    def deliver(self, event: StatusChanged) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                logger.warning("subscriber queue full; dropping %s", event)

    @property
    def subscriber_count(self) -> int:
        return len(self._queues)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[StatusChanged]]:
        queue: asyncio.Queue[StatusChanged] = asyncio.Queue(SUBSCRIBER_QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield _drain(queue)
        finally:
            self._queues.discard(queue)


async def _drain(queue: "asyncio.Queue[StatusChanged]") -> AsyncIterator[StatusChanged]:
    while True:
        yield await queue.get()
