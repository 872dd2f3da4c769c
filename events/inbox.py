"""A single-reader asyncio queue that costs next to nothing while it is empty."""

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Inbox(Generic[T]):
    """A queue for one reader that waits on it most of its life: a subscriber, a socket.

    Not `asyncio.Queue`: it keeps four deques from birth (about 3 KiB), and there are thousands
    of idle readers per process (docs/performance.md: memory per idle subscriber). This holds no
    deque while empty and a future only while its reader waits. `capacity=None`: unbounded.
    """

    __slots__ = ("_capacity", "_items", "_waiter")

    def __init__(self, capacity: int | None = None) -> None:
        self._capacity = capacity
        self._items: deque[T] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put(self, item: T) -> bool:
        """False, and nothing kept, when the inbox is full."""
        if self._items is None:
            self._items = deque()
        elif self._capacity is not None and len(self._items) >= self._capacity:
            return False
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        return True

    def replace_all(self, item: T) -> int:
        """Drop every waiting item for `item` (even when full); returns how many were dropped."""
        dropped = len(self._items) if self._items is not None else 0
        self._items = None
        self._capacity, capacity = None, self._capacity
        self.put(item)
        self._capacity = capacity
        return dropped

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> T:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.popleft()
        if not self._items:
            self._items = None
        return item
