"""Waiting on a condition with a deadline: the only way tests synchronise with servers and workers.

A fixed sleep followed by an assertion is a race that passes or fails with the machine's load.
These helpers poll a condition until it holds or the deadline passes, and fail with a message
that says what was awaited. The polling interval is an implementation detail, not a delay the
test depends on: a condition that holds at once returns at once.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

T = TypeVar("T")

#: How long a test waits for something that should happen "soon" on a loaded two-core machine.
DEFAULT_TIMEOUT = 10.0
_POLL = 0.01


class WaitTimeout(AssertionError):
    """The awaited condition did not hold before the deadline."""


@overload
async def wait_until(
    condition: Callable[[], Awaitable[T]], *, within: float = ..., what: str = ...
) -> T: ...


@overload
async def wait_until(condition: Callable[[], T], *, within: float = ..., what: str = ...) -> T: ...


async def wait_until(
    condition: Callable[[], T | Awaitable[T]],
    *,
    within: float = DEFAULT_TIMEOUT,
    what: str = "the condition",
) -> T:
    """Poll `condition` (sync or async) until it returns a truthy value; return that value."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise WaitTimeout(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(_POLL)


def wait_until_sync(
    condition: Callable[[], T], *, within: float = DEFAULT_TIMEOUT, what: str = "the condition"
) -> T:
    """The same, for code outside an event loop (subprocesses, threads)."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise WaitTimeout(f"timed out after {within} s waiting for {what}")
        time.sleep(_POLL)
