"""An awaitable value for the executor's tests: graphql-core and the tuning patches treat a value
that is awaitable but not a coroutine on their own path."""

import asyncio
from collections.abc import Generator
from typing import Any


class Later:
    """Awaitable once, after one turn of the event loop: gives `value`, or raises it when it is an
    exception. Not a coroutine, so it may go unawaited when its field is not asked."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        yield from asyncio.sleep(0).__await__()
        if isinstance(self.value, Exception):
            raise self.value
        return self.value
