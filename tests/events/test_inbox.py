"""The lean single-reader queue behind each subscriber and each socket."""

import asyncio

import pytest

from events.inbox import Inbox


async def test_a_reader_waits_for_the_next_item_and_gets_them_in_order() -> None:
    inbox: Inbox[int] = Inbox(capacity=2)
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    assert not reader.done()  # nothing yet: the reader waits, it does not spin or fail
    assert inbox.put(1)
    assert await asyncio.wait_for(reader, 1) == 1
    assert inbox.put(2)
    assert inbox.put(3)
    assert not inbox.put(4)  # full: refused, not kept
    assert [await inbox.get(), await inbox.get()] == [2, 3]
    assert inbox.empty()
    assert inbox.put(5)  # emptied: room again
    assert not inbox.empty()
    assert await inbox.get() == 5


async def test_without_a_capacity_nothing_is_refused() -> None:
    inbox: Inbox[int] = Inbox()
    assert all(inbox.put(n) for n in range(5000))
    assert [await inbox.get() for _ in range(5000)] == list(range(5000))


async def test_a_cancelled_reader_loses_no_item() -> None:
    inbox: Inbox[int] = Inbox(capacity=5)
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    assert inbox.put(1)
    assert await asyncio.wait_for(inbox.get(), 1) == 1
