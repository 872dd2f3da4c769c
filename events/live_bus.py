"""The bus of a serving process: subscribers here, events from the database's event outbox.

`publish` (called by a use case after its commit) reads nothing from the event and waits for
nothing: it wakes this process's feed and asks Redis, in the background, to wake the others. The
events subscribers receive are the ones the feed read from the outbox (`events.feed`), so every
process, this one included, delivers the same committed events, in order, once.
"""

from collections.abc import Awaitable, Callable

from events.bus import SUBSCRIBER_MAX_LAG_SECONDS, SUBSCRIBER_QUEUE_SIZE, InProcessBus
from events.deployment import deployment_id
from events.feed import EventFeed
from events.messages import StatusChanged
from events.redis_wakeups import RedisNotifier


async def _no_sessions(user_ids: set[int]) -> None:
    return None


class LiveBus(InProcessBus):
    def __init__(
        self,
        notifier: RedisNotifier | None = None,
        *,
        queue_size: int = SUBSCRIBER_QUEUE_SIZE,
        max_lag_seconds: float = SUBSCRIBER_MAX_LAG_SECONDS,
        poll_interval: float = 1.0,
    ) -> None:
        super().__init__(queue_size, max_lag_seconds)
        self.notifier = notifier
        self.on_principals: Callable[[set[int]], Awaitable[None]] = _no_sessions
        self.feed = EventFeed(self.deliver, self._principals_changed, poll_interval=poll_interval)

    async def publish(self, event: StatusChanged) -> None:
        """The event's row is in the outbox, committed: have it read here and everywhere."""
        self.wake()

    def wake(self) -> None:
        self.feed.wake()
        if self.notifier is not None:
            self.notifier.notify()

    @property
    def redis_connected(self) -> bool | None:
        """None without Redis; else whether the wake-ups from other processes get through."""
        return None if self.notifier is None else self.notifier.connected

    async def start(self) -> None:
        """In the app's lifespan, once the database is up."""
        await self.feed.start()
        if self.notifier is not None:
            await self.notifier.start(await deployment_id(), self.feed.wake)

    async def stop(self) -> None:
        if self.notifier is not None:
            await self.notifier.stop()
        await self.feed.stop()

    async def _principals_changed(self, user_ids: set[int]) -> None:
        await self.on_principals(user_ids)
