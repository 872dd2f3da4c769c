"""Runs the expiry and reminders job inside the server: at start-up, then every interval.

The job is idempotent and catches up by itself (it sends the latest stage that applies), so a
plain interval is enough: running it hourly marks a certificate EXPIRED within the hour after its
end and sends each reminder within the hour its day begins in Bogotá, and a restart after downtime
runs it at once. Several server processes may each run it; the job is safe to run concurrently.
"""

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from services.dependencies import Dependencies
from services.expire_and_remind import JobReport, run_daily_job

logger = logging.getLogger("certs.jobs")


class JobScheduler:
    def __init__(
        self,
        deps: Dependencies,
        *,
        interval_seconds: float,
        reminder_days: Sequence[int],
        stop_timeout: float = 30.0,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        self.deps = deps
        self.interval_seconds = interval_seconds
        self.reminder_days = tuple(reminder_days)
        self.stop_timeout = stop_timeout
        self.runs = 0
        self.last_report: JobReport | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            return
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="expiry-job-scheduler")
        logger.info("expiry job scheduled every %g s", self.interval_seconds)

    async def stop(self) -> None:
        """Let a run in progress finish (up to `stop_timeout` seconds), then stop.

        Each certificate is its own transaction, so a run cancelled at the timeout loses at most
        the one certificate it was writing, which the next run does again.
        """
        task = self._task
        if task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.stop_timeout)
        except TimeoutError:
            logger.warning("expiry job did not finish in time; cancelling it")
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None

    async def run_once(self) -> JobReport:
        report = await run_daily_job(
            self.deps, self.deps.clock.now(), reminder_days=self.reminder_days
        )
        self.runs += 1
        self.last_report = report
        level = logging.WARNING if report.failed else logging.INFO
        logger.log(level, "expiry job: %s", report.as_dict())
        return report

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_once()
            except Exception:
                logger.exception("expiry job failed; will try again at the next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval_seconds)
