"""The in-process bus: fan-out to every subscriber, a slow one told it lags (never blocking the
others nor skipped silently), clean unsubscribe."""

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator

import pytest

from events.bus import InProcessBus, SubscriptionLagging
from events.messages import StatusChanged
from events.metrics import metrics
from tests.support.waiting import wait_until


def event(n: int, company_id: int = 1) -> StatusChanged:
    return StatusChanged(subject="request", subject_id=n, company_id=company_id, change_id=n)


async def take(events: AsyncIterator[StatusChanged], count: int) -> list[StatusChanged]:
    return [await asyncio.wait_for(anext(events), 2) for _ in range(count)]


async def test_every_subscriber_gets_every_event_in_order() -> None:
    bus = InProcessBus()
    async with bus.subscribe() as first, bus.subscribe() as second:
        for n in range(3):
            await bus.publish(event(n))
        assert await take(first, 3) == [event(0), event(1), event(2)]
        assert await take(second, 3) == [event(0), event(1), event(2)]


async def test_a_subscriber_gets_only_what_is_published_after_it_subscribed() -> None:
    bus = InProcessBus()
    await bus.publish(event(1))
    async with bus.subscribe() as events_:
        await bus.publish(event(2))
        assert await take(events_, 1) == [event(2)]


async def test_a_slow_subscriber_is_told_it_lags_and_blocks_neither_the_publisher_nor_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = InProcessBus(queue_size=3)
    received: list[StatusChanged] = []

    async def fast(events_: AsyncIterator[StatusChanged]) -> None:
        async for item in events_:
            received.append(item)

    with caplog.at_level(logging.WARNING, logger="events.bus"):
        async with bus.subscribe() as slow, bus.subscribe() as quick:
            reader = asyncio.create_task(fast(quick))
            before = metrics.snapshot()
            for n in range(10):
                # Never awaits the slow subscriber: each publish returns at once.
                await asyncio.wait_for(bus.publish(event(n)), 0.5)
                await asyncio.sleep(0)  # let the fast reader run, as the event loop would
            await wait_until(lambda: len(received) == 10, within=2, what="the fast reader")
            reader.cancel()
            # The slow one is told, at its next read, that it lags: nothing is silently skipped.
            with pytest.raises(SubscriptionLagging):
                await asyncio.wait_for(anext(slow), 2)
            assert bus.subscriber_count == 1  # it left the bus; the fast one did not
    assert received == [event(n) for n in range(10)]
    assert "fell behind" in caplog.text
    after = metrics.snapshot()
    assert after["subscribers_lagging_total"] - before["subscribers_lagging_total"] == 1
    assert after["events_dropped_total"] - before["events_dropped_total"] == 4  # 3 queued + 1


async def test_leaving_the_context_unsubscribes() -> None:
    bus = InProcessBus()
    async with bus.subscribe(), bus.subscribe():
        assert bus.subscriber_count == 2
    assert bus.subscriber_count == 0
    await bus.publish(event(1))  # nobody left: nothing queued, nothing raised


async def test_a_cancelled_subscriber_task_unsubscribes() -> None:
    """What happens when a client closes its socket: Strawberry cancels the subscription task."""
    bus = InProcessBus()
    started = asyncio.Event()

    async def watch() -> None:
        async with bus.subscribe() as events_:
            started.set()
            async for _ in events_:
                pass

    task = asyncio.create_task(watch())
    await asyncio.wait_for(started.wait(), 2)
    assert bus.subscriber_count == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert bus.subscriber_count == 0


async def test_a_subscriber_taking_an_event_too_late_after_it_was_read_is_told_it_lags() -> None:
    bus = InProcessBus(max_lag_seconds=0.5)
    now = asyncio.get_running_loop().time()
    fresh = dataclasses.replace(event(1), read_at=now)
    stale = dataclasses.replace(event(2), read_at=now - 0.6)  # read 0.6 s ago, still waiting
    async with bus.subscribe() as events_:
        bus.deliver(fresh)
        bus.deliver(stale)
        bus.deliver(event(3))
        assert await take(events_, 1) == [fresh]
        with pytest.raises(SubscriptionLagging):
            await asyncio.wait_for(anext(events_), 2)
        assert bus.subscriber_count == 0


async def test_a_subscriber_gets_only_what_it_accepts_and_never_lags_for_the_rest() -> None:
    bus = InProcessBus(queue_size=2)
    async with bus.subscribe(lambda e: e.company_id == 7) as own:
        for n in range(10):
            bus.deliver(event(n, company_id=1))  # another company's: never queued here
        bus.deliver(event(10, company_id=7))
        assert await take(own, 1) == [event(10, company_id=7)]
        assert bus.subscriber_count == 1
