"""The in-process bus: every subscriber gets its own bounded inbox; a subscriber that falls behind
is told so (`SubscriptionLagging`) and leaves the bus, it never blocks the others nor is it
silently skipped."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from events.inbox import Inbox
from events.messages import StatusChanged
from events.metrics import metrics

logger = logging.getLogger(__name__)

#: Events a subscriber may have waiting before it counts as lagging (SUBSCRIPTION_QUEUE_SIZE).
SUBSCRIBER_QUEUE_SIZE = 1000
#: How long after the feed read an event a subscriber may take it (SUBSCRIPTION_MAX_LAG_SECONDS):
#: later, it lags. A screen that far behind is better refetching than catching up.
SUBSCRIBER_MAX_LAG_SECONDS = 1.0


class SubscriptionLagging(Exception):
    """This subscriber fell behind: events were left out. It must refetch and subscribe again."""


class _Lagging:
    """The one item left in a lagging subscriber's inbox."""


LAGGING = _Lagging()


#: Which events a subscriber wants: asked as they are delivered, so that a subscriber is never
#: woken, nor counted as lagging, for events it would discard.
Accept = Callable[[StatusChanged], bool]

Inboxes = dict[Inbox["StatusChanged | _Lagging"], Accept | None]


class EventBus(Protocol):
    """What the use cases publish to and subscriptions listen on. The app starts the bus in its
    lifespan and stops it at shutdown, whichever bus it is."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, event: StatusChanged) -> None:
        """Called after the event's transaction committed."""
        ...

    def subscribe(
        self, accept: "Accept | None" = None
    ) -> AbstractAsyncContextManager[AsyncIterator[StatusChanged]]:
        """An async context manager yielding the stream of events published from now on (those
        `accept` takes, when given)."""
        ...


class InProcessBus:
    def __init__(
        self,
        queue_size: int = SUBSCRIBER_QUEUE_SIZE,
        max_lag_seconds: float = SUBSCRIBER_MAX_LAG_SECONDS,
    ) -> None:
        self._inboxes: Inboxes = {}
        self.queue_size = queue_size
        self.max_lag_seconds = max_lag_seconds

    async def start(self) -> None:
        """Nothing to connect to: in-process delivery needs no start."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def publish(self, event: StatusChanged) -> None:
        self.deliver(event)

    def deliver(self, event: StatusChanged) -> None:
        for inbox, accept in list(self._inboxes.items()):
            if accept is not None and not accept(event):
                continue
            if not inbox.put(event):
                self._lagging(inbox)

    def _lagging(self, inbox: Inbox[StatusChanged | _Lagging]) -> None:
        """Its waiting events are dropped (counted) and replaced by the news that it lags."""
        _lagging(self._inboxes, inbox, 1)

    @property
    def subscriber_count(self) -> int:
        return len(self._inboxes)

    def subscribe(self, accept: Accept | None = None) -> "Subscription":
        return Subscription(self._inboxes, Inbox(self.queue_size), self.max_lag_seconds, accept)


def _lagging(
    inboxes: Inboxes,
    inbox: Inbox[StatusChanged | _Lagging],
    also_dropped: int,
) -> None:
    inboxes.pop(inbox, None)
    dropped = inbox.replace_all(LAGGING) + also_dropped
    metrics.subscribers_lagging_total += 1
    metrics.events_dropped_total += dropped
    logger.warning("a subscriber fell behind (%d events left out): told to refetch", dropped)


class Subscription:
    """One subscriber's place on the bus: registered while the `async with` lasts, and the stream
    of its events. A class rather than an `asynccontextmanager` over an async generator: those
    keep two suspended frames for the subscription's whole life (docs/performance.md: memory
    per idle subscriber). Raises `SubscriptionLagging` once the subscriber fell behind."""

    __slots__ = ("_accept", "_inbox", "_inboxes", "_max_lag")

    def __init__(
        self,
        inboxes: Inboxes,
        inbox: Inbox[StatusChanged | _Lagging],
        max_lag: float,
        accept: Accept | None = None,
    ) -> None:
        self._inboxes = inboxes
        self._inbox = inbox
        self._max_lag = max_lag
        self._accept = accept

    async def __aenter__(self) -> "Subscription":
        self._inboxes[self._inbox] = self._accept
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._inboxes.pop(self._inbox, None)

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> StatusChanged:
        item = await self._inbox.get()
        if isinstance(item, _Lagging):
            raise SubscriptionLagging
        if item.read_at and asyncio.get_running_loop().time() - item.read_at > self._max_lag:
            _lagging(self._inboxes, self._inbox, 1)  # this one, and those waiting behind it
            raise SubscriptionLagging
        return item
