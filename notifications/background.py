"""The life of a background delivery loop, shared by the email and the webhook workers.

A worker runs rounds in one task: `start` creates it, `wake` makes the next round start at once
instead of after its pause, `stop` lets the current round finish (up to `stop_timeout` seconds)
and cancels it past that. What a round does and how long it pauses is the worker's own `_run`.
"""

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger("certs.notifications")


class BackgroundRounds:
    def __init__(self, *, task_name: str, stop_timeout: float) -> None:
        self.task_name = task_name
        self.stop_timeout = stop_timeout
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def _start(self, run: Coroutine[Any, Any, None]) -> bool:
        """Starts `run` as the worker's task; False (and `run` closed) when one already runs."""
        if self.running:
            run.close()
            return False
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(run, name=self.task_name)
        return True

    def wake(self) -> None:
        """Deliver now instead of at the next tick (e.g. right after a commit queued work)."""
        self._wake.set()

    async def _stop(self) -> bool:
        """Finish the current round (up to `stop_timeout` seconds), then stop; False when no
        task was started."""
        task = self._task
        if task is None:
            return False
        self._stopping.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.stop_timeout)
        except TimeoutError:
            logger.warning("%s did not finish its round in time; cancelling it", self.task_name)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        return True

    async def _pause(self, seconds: float) -> None:
        """Until the next round: `seconds`, or less if woken; a turn of the loop when stopping."""
        if self._stopping.is_set():
            await asyncio.sleep(0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
