"""The Redis bus against a real Redis: fan-out between processes, reconnection, publish failures.

Pub/sub channels are global to a Redis server (the /15 in TEST_REDIS_URL does not isolate them),
so every test uses a channel prefix of its own."""

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis

from devkit.ports import free_port
from domain.redaction import redacted_url
from events.messages import StatusChanged
from events.redis_bus import RedisBus
from tests.support.waiting import wait_until, wait_until_sync

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not REDIS_URL, reason="Redis: TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)"
    ),
]

LOGGER = "events.redis_bus"


def event(n: int, company_id: int = 1) -> StatusChanged:
    return StatusChanged(subject="request", subject_id=n, company_id=company_id, change_id=n)


@pytest.fixture
def prefix() -> str:
    return f"certs-test-{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def running_bus(url: str, prefix: str, name: str) -> AsyncIterator[RedisBus]:
    bus = RedisBus(
        url,
        channel_prefix=prefix,
        client_name=f"{prefix}-{name}",
        backoff_initial=0.05,
        backoff_max=0.5,
        timeout=2,
    )
    await bus.start()
    try:
        yield bus
    finally:
        await bus.stop()


async def take(events: AsyncIterator[StatusChanged], count: int) -> list[StatusChanged]:
    return [await asyncio.wait_for(anext(events), 5) for _ in range(count)]


async def nothing_more(events: AsyncIterator[StatusChanged], within: float = 0.3) -> bool:
    try:
        await asyncio.wait_for(anext(events), within)
    except TimeoutError:
        return True
    return False


async def eventually(condition: Callable[[], bool], within: float = 10) -> None:
    await wait_until(condition, within=within, what="the bus to reach the expected state")


def logged(caplog: pytest.LogCaptureFixture, level: int, text: str) -> bool:
    return any(r.levelno == level and text in r.getMessage() for r in caplog.records)


async def test_a_published_event_reaches_the_subscribers_once(prefix: str) -> None:
    async with running_bus(REDIS_URL, prefix, "a") as bus:
        assert bus.connected
        async with bus.subscribe() as first, bus.subscribe() as second:
            await bus.publish(event(1))
            await bus.publish(event(2))
            assert await take(first, 2) == [event(1), event(2)]
            assert await take(second, 2) == [event(1), event(2)]
            assert await nothing_more(first)


async def test_two_buses_share_their_events_like_two_processes(prefix: str) -> None:
    async with (
        running_bus(REDIS_URL, prefix, "a") as a,
        running_bus(REDIS_URL, prefix, "b") as b,
        a.subscribe() as on_a,
        b.subscribe() as on_b,
    ):
        await a.publish(event(1))
        await b.publish(event(2))
        assert await take(on_a, 2) == [event(1), event(2)]
        assert await take(on_b, 2) == [event(1), event(2)]


async def test_buses_with_another_prefix_do_not_hear_each_other(prefix: str) -> None:
    async with (
        running_bus(REDIS_URL, prefix, "a") as a,
        running_bus(REDIS_URL, prefix + "-other", "b") as other,
        other.subscribe() as on_other,
    ):
        await a.publish(event(1))
        assert await nothing_more(on_other, 0.5)


async def test_the_listener_reconnects_when_its_connection_is_killed(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    async with (
        running_bus(REDIS_URL, prefix, "a") as bus,
        running_bus(REDIS_URL, prefix, "b") as other,
        bus.subscribe() as events,
        Redis.from_url(REDIS_URL) as admin,
    ):
        clients = await admin.client_list(_type="pubsub")
        ours = [c for c in clients if c.get("name") == bus.client_name]
        assert len(ours) == 1, clients
        assert await admin.client_kill_filter(_id=ours[0]["id"]) == 1  # CLIENT KILL ID …

        await eventually(lambda: logged(caplog, logging.WARNING, "Redis: connection lost"))
        await eventually(lambda: logged(caplog, logging.INFO, "Redis: connection restored"))
        assert bus.connected

        await other.publish(event(7))
        assert await take(events, 1) == [event(7)]


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
    async with FreezableProxy(REDIS_URL) as proxy:
        bus = RedisBus(proxy.url, channel_prefix=prefix, backoff_initial=0.05, ping_interval=0.3)
        await bus.start()
        try:
            assert bus.connected
            proxy.freeze_open_connections()  # the socket stays open; nothing gets through
            await eventually(lambda: logged(caplog, logging.WARNING, "no answer to PING"))
            await eventually(lambda: logged(caplog, logging.INFO, "Redis: connection restored"))
            async with bus.subscribe() as events:
                async with Redis.from_url(REDIS_URL) as raw:
                    await raw.publish(bus.channel, event(5).to_json())
                assert await take(events, 1) == [event(5)]
        finally:
            await bus.stop()


async def test_a_malformed_message_is_skipped_and_the_listener_goes_on(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        running_bus(REDIS_URL, prefix, "a") as bus,
        bus.subscribe() as events,
        Redis.from_url(REDIS_URL) as raw,
    ):
        await raw.publish(bus.channel, b"not json")
        await raw.publish(bus.channel, b'{"subject": "invoice", "subject_id": 1}')
        await bus.publish(event(3))
        assert await take(events, 1) == [event(3)]
    assert "malformed message" in caplog.text


async def test_a_publish_without_redis_does_not_raise_and_reaches_local_subscribers(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The mutation that published has committed: it must not fail because Redis is away."""
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    bus = RedisBus(unreachable, channel_prefix=prefix, backoff_initial=0.05, timeout=0.5)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        await bus.start(wait=0.3)
        try:
            assert not bus.connected
            async with bus.subscribe() as events:
                await asyncio.wait_for(bus.publish(event(1)), 5)
                assert await take(events, 1) == [event(1)]
        finally:
            await bus.stop()
    assert logged(caplog, logging.WARNING, "Redis: not reachable yet")
    assert logged(caplog, logging.WARNING, "Redis: cannot connect")
    assert logged(caplog, logging.ERROR, "Redis: could not publish")


# A Redis of our own, to stop and start again like a real restart.


@contextmanager
def own_redis(port: int, directory: Path) -> Iterator[subprocess.Popen[bytes]]:
    server = shutil.which("redis-server")
    assert server is not None
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, loopback only
        [server, *options, "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def accepting() -> bool:
        if process.poll() is not None:
            raise RuntimeError("redis-server exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            return False
        return True

    try:
        wait_until_sync(accepting, what="redis-server to accept connections")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
async def test_the_bus_survives_a_redis_restart(
    prefix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with own_redis(port, tmp_path):
        bus = RedisBus(url, channel_prefix=prefix, backoff_initial=0.05, backoff_max=0.3)
        await bus.start()
        assert bus.connected
    try:
        await eventually(lambda: logged(caplog, logging.WARNING, "Redis: connection lost"))
        async with bus.subscribe() as events:
            # Redis is down: the publish is logged, not raised; this process still hears it.
            await asyncio.wait_for(bus.publish(event(1)), 5)
            assert await take(events, 1) == [event(1)]
            assert logged(caplog, logging.ERROR, "Redis: could not publish")

            with own_redis(port, tmp_path):
                await eventually(lambda: logged(caplog, logging.INFO, "Redis: connection restored"))
                async with Redis.from_url(url) as raw:
                    await raw.publish(bus.channel, event(2).to_json())
                await bus.publish(event(3))  # the publisher's stale connection is replaced
                assert await take(events, 2) == [event(2), event(3)]
                assert await nothing_more(events)
    finally:
        await bus.stop()


def test_the_password_never_reaches_the_log() -> None:
    assert redacted_url("redis://:s3cret@cache:6379/0") == "redis://***@cache:6379/0"
    assert redacted_url("redis://app:s3cret@cache:6379/0") == "redis://app:***@cache:6379/0"
    assert redacted_url("redis://cache:6379/0") == "redis://cache:6379/0"
