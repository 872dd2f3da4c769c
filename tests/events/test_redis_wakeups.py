"""Wake-ups through a real Redis: between processes, per deployment, through reconnections and
restarts, and never making a caller wait.

Pub/sub channels are global to a Redis server (the /15 in TEST_REDIS_URL does not isolate them),
so every test uses a channel prefix of its own."""

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis

from devkit.ports import free_port
from events.metrics import metrics
from events.redis_wakeups import RedisNotifier, channel_name
from tests.support.redis import HAVE_REDIS_SERVER, own_redis
from tests.support.waiting import wait_until

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not REDIS_URL, reason="Redis: TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)"
    ),
]

LOGGER = "events.redis_wakeups"


@pytest.fixture
def prefix() -> str:
    return f"certs-test-{uuid.uuid4().hex[:12]}"


@dataclass
class Wakes:
    count: int = 0

    def __call__(self) -> None:
        self.count += 1


@asynccontextmanager
async def running(
    url: str, prefix: str, name: str, deployment: str = "d1", **options: float
) -> AsyncIterator[tuple[RedisNotifier, Wakes]]:
    notifier = RedisNotifier(
        url,
        channel_prefix=prefix,
        client_name=f"{prefix}-{name}",
        backoff_initial=0.05,
        backoff_max=0.5,
        timeout=2,
        **options,
    )
    wakes = Wakes()
    await notifier.start(deployment, wakes)
    try:
        yield notifier, wakes
    finally:
        await notifier.stop()


def logged(caplog: pytest.LogCaptureFixture, level: int, text: str) -> bool:
    return any(r.levelno == level and text in r.getMessage() for r in caplog.records)


async def test_a_notify_wakes_every_process_of_the_deployment(prefix: str) -> None:
    async with (
        running(REDIS_URL, prefix, "a") as (a, on_a),
        running(REDIS_URL, prefix, "b") as (
            _,
            on_b,
        ),
    ):
        assert a.connected
        a_before, b_before = on_a.count, on_b.count
        a.notify()
        await wait_until(lambda: on_b.count > b_before, within=5, what="b woken")
        await wait_until(lambda: on_a.count > a_before, within=5, what="a woken by its own")


async def test_another_deployment_on_the_same_redis_is_not_woken(prefix: str) -> None:
    async with (
        running(REDIS_URL, prefix, "x", deployment="x") as (x, _),
        running(REDIS_URL, prefix, "y", deployment="y") as (_, on_y),
        running(REDIS_URL, prefix, "y2", deployment="y") as (y2, on_y2),
    ):
        before = on_y.count
        x.notify()  # deployment x: nothing for y
        y2.notify()  # the marker: y hears its own deployment
        await wait_until(lambda: on_y2.count > 1, within=5, what="y2 woken by itself")
        await wait_until(lambda: on_y.count > before, within=5, what="y woken by y2")
        assert on_y.count == before + 1
        assert x.channel == channel_name(prefix, "x") != y2.channel


async def test_the_listener_reconnects_when_its_connection_is_killed(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    async with (
        running(REDIS_URL, prefix, "a") as (notifier, wakes),
        running(REDIS_URL, prefix, "b") as (other, _),
        Redis.from_url(REDIS_URL) as admin,
    ):
        clients = await admin.client_list(_type="pubsub")
        ours = [c for c in clients if c.get("name") == notifier.client_name]
        assert len(ours) == 1, clients
        assert await admin.client_kill_filter(_id=ours[0]["id"]) == 1  # CLIENT KILL ID …

        await wait_until(lambda: logged(caplog, logging.WARNING, "Redis: connection lost"))
        await wait_until(lambda: logged(caplog, logging.INFO, "Redis: connection restored"))
        assert notifier.connected
        before = wakes.count
        other.notify()
        await wait_until(lambda: wakes.count > before, within=5, what="woken after reconnecting")


class FreezableProxy:
    """A loopback TCP proxy to Redis whose open connections can go silent without closing, like a
    network partition or a NAT entry that expired: nothing is lost, nothing arrives."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.path = parts.path
        self.frozen: list[asyncio.Event] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{port}{self.path}"

    async def __aenter__(self) -> "FreezableProxy":
        self.server = await asyncio.start_server(self._connect, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()

    def freeze_open_connections(self) -> None:
        for frozen in self.frozen:
            frozen.set()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        frozen = asyncio.Event()
        self.frozen.append(frozen)
        up_reader, up_writer = await asyncio.open_connection(*self.target)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    if not frozen.is_set():
                        sink.write(data)
                        await sink.drain()
            except OSError:
                pass
            finally:
                sink.close()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            writer.close()
            up_writer.close()
            self.tasks.discard(task)


async def test_a_silent_drop_is_noticed_by_ping_and_the_listener_reconnects(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    async with (
        FreezableProxy(REDIS_URL) as proxy,
        running(proxy.url, prefix, "a", ping_interval=0.3) as (notifier, wakes),
    ):
        assert notifier.connected
        proxy.freeze_open_connections()  # the socket stays open; nothing gets through
        await wait_until(lambda: logged(caplog, logging.WARNING, "no answer to PING"))
        await wait_until(lambda: logged(caplog, logging.INFO, "Redis: connection restored"))
        before = wakes.count
        async with Redis.from_url(REDIS_URL) as raw:
            await raw.publish(notifier.channel, b"anything at all")
        await wait_until(lambda: wakes.count > before, within=5, what="woken")


async def test_notify_without_redis_returns_at_once_and_is_counted(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The caller has committed: it never waits for Redis, and never fails because of it."""
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    notifier = RedisNotifier(unreachable, channel_prefix=prefix, backoff_initial=0.05, timeout=0.5)
    failed = metrics.wakeups_failed_total
    with caplog.at_level(logging.INFO, logger=LOGGER):
        await notifier.start("d1", Wakes(), wait=0.3)
        try:
            assert not notifier.connected
            loop = asyncio.get_running_loop()
            started = loop.time()
            for _ in range(100):
                notifier.notify()
            assert loop.time() - started < 0.05
            await wait_until(lambda: metrics.wakeups_failed_total > failed, within=5)
        finally:
            await notifier.stop()
    assert logged(caplog, logging.WARNING, "Redis: not reachable yet")
    assert logged(caplog, logging.WARNING, "Redis: cannot connect")
    assert logged(caplog, logging.WARNING, "could not publish a wake-up")


@pytest.mark.skipif(not HAVE_REDIS_SERVER, reason="redis-server is not installed")
async def test_the_notifier_survives_a_redis_restart(
    prefix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with own_redis(port, tmp_path):
        notifier = RedisNotifier(url, channel_prefix=prefix, backoff_initial=0.05, backoff_max=0.3)
        wakes = Wakes()
        await notifier.start("d1", wakes)
        assert notifier.connected
    try:
        await wait_until(lambda: logged(caplog, logging.WARNING, "Redis: connection lost"))
        assert not notifier.connected
        notifier.notify()  # dropped, not raised
        with own_redis(port, tmp_path):
            await wait_until(lambda: logged(caplog, logging.INFO, "Redis: connection restored"))
            before = wakes.count
            notifier.notify()  # the publisher's stale connection is replaced
            await wait_until(lambda: wakes.count > before, within=5, what="woken after restart")
    finally:
        await notifier.stop()
