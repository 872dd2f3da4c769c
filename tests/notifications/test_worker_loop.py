"""The background worker: runs rounds on its own, wakes on demand, survives errors, stops."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import pytest

from devkit.smtp_server import SmtpServer
from domain.clock import FixedClock
from models import OutboxEmail, OutboxStatus
from notifications.transports import MailSession, SmtpTransport
from notifications.worker import OutboxWorker
from tests.support.factories import make_company, queue_received
from tests.support.waiting import wait_until

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Poll `check` (the database: there is no event to wait on) until it holds."""
    await wait_until(check, within=within, what="the outbox to reach the expected state")


class BrokenThenWorking:
    """A transport whose first sessions fail with a bug-like error, then work."""

    def __init__(self, inner: SmtpTransport, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    @property
    def description(self) -> str:
        return "broken-then-working"

    def session(self) -> AbstractAsyncContextManager[MailSession]:
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("boom")
        return self.inner.session()


async def test_worker_delivers_in_the_background_and_stops(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    await queue_received(await make_company(), 3)
    worker = OutboxWorker(smtp_transport, FixedClock(NOW), interval=0.05)
    worker.start()
    try:
        await eventually(lambda: _sent_count_is(3))
    finally:
        await worker.stop()
    assert not worker.running
    assert len(smtp_server.messages) == 3


async def test_wake_delivers_without_waiting_for_the_interval(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    worker = OutboxWorker(smtp_transport, FixedClock(NOW), interval=60)
    worker.start()
    try:
        await eventually(lambda: _rounds_at_least(worker, 1))
        await queue_received(await make_company(), 1)
        worker.wake()
        await eventually(lambda: _sent_count_is(1), within=3)
    finally:
        await worker.stop()


async def test_worker_logs_errors_and_keeps_going(
    db: str,
    smtp_server: SmtpServer,
    smtp_transport: SmtpTransport,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await queue_received(await make_company(), 2)
    transport = BrokenThenWorking(smtp_transport, failures=2)
    worker = OutboxWorker(transport, FixedClock(NOW), interval=0.02, max_interval=0.05)
    with caplog.at_level(logging.ERROR, logger="notifications.worker"):
        worker.start()
        try:
            await eventually(lambda: _sent_count_is(2))
        finally:
            await worker.stop()
    assert "delivery round failed" in caplog.text


async def test_worker_backs_off_while_the_server_is_down(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    smtp_server.stop()
    await queue_received(await make_company(), 1)
    worker = OutboxWorker(smtp_transport, FixedClock(NOW), interval=0.02, max_interval=0.2)
    started = asyncio.get_running_loop().time()
    worker.start()
    try:
        await wait_until(lambda: worker.rounds >= 5, what="five failed rounds")
        # Between rounds 1 and 5 the pause doubled: 0.04 + 0.08 + 0.16 + 0.2 (the cap) s, where a
        # worker that does not back off would have waited 4 x 0.02 s. Load only makes it longer.
        assert asyncio.get_running_loop().time() - started >= 0.04 + 0.08 + 0.16 + 0.2
        smtp_server.start()
        worker.wake()
        await eventually(lambda: _sent_count_is(1))
    finally:
        await worker.stop()
    assert (await OutboxEmail.get()).attempts == 1


async def test_stop_without_start_is_harmless() -> None:
    worker = OutboxWorker(SmtpTransport.from_url("smtp://127.0.0.1:1"), FixedClock(NOW))
    await worker.stop()
    assert not worker.running


async def _sent_count_is(count: int) -> bool:
    return await OutboxEmail.filter(status=OutboxStatus.SENT).count() == count


async def _rounds_at_least(worker: OutboxWorker, rounds: int) -> bool:
    return worker.rounds >= rounds
