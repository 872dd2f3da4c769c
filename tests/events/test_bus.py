"""The in-process bus: fan-out to every subscriber, no blocking on a slow one, clean unsubscribe."""

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

import events.bus
from events.bus import InProcessBus
from events.messages import StatusChanged
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


async def test_a_slow_subscriber_does_not_block_the_publisher_nor_the_others(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(events.bus, "SUBSCRIBER_QUEUE_SIZE", 3)
    bus = InProcessBus()
    received: list[StatusChanged] = []

    async def fast(events_: AsyncIterator[StatusChanged]) -> None:
        async for item in events_:
            received.append(item)

    with caplog.at_level(logging.WARNING, logger="events.bus"):
        async with bus.subscribe() as slow, bus.subscribe() as quick:
            reader = asyncio.create_task(fast(quick))
            for n in range(10):
                # Never awaits the slow subscriber: each publish returns at once.
                await asyncio.wait_for(bus.publish(event(n)), 0.5)
                await asyncio.sleep(0)  # let the fast reader run, as the event loop would
            await wait_until(lambda: len(received) == 10, what="the fast reader to get all ten")
            reader.cancel()
            # The slow one kept what fitted in its queue; the rest was dropped, not waited for.
            assert await take(slow, 3) == [event(0), event(1), event(2)]
    assert received == [event(n) for n in range(10)]
    assert "subscriber queue full" in caplog.text


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
