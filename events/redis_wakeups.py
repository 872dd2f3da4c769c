"""Wake-ups through Redis pub/sub, so that a change committed by one server process is read at
once by the event feed of every other process (several uvicorn workers, several hosts).

What travels is only a nudge, never an event: every process reads the events themselves from the
event outbox in the database (`events.feed`), so a message on the channel can neither invent an
event nor change one; a forged PUBLISH costs one read of the outbox. The channel is
`<REDIS_CHANNEL_PREFIX>:<deployment id>:wakeups`, the id made once per database
(`events.deployment`), so two deployments sharing one Redis never hear each other.

- **No request waits on Redis.** `notify()` only sets a flag; a background task PUBLISHes one
  nudge for however many commits happened meanwhile. If Redis is down the nudge is dropped
  (counted, logged), and the other processes find the events at their next poll.
- **The listener** SUBSCRIBEs once per process. It notices a drop at once when the socket closes
  (Redis restarted, `CLIENT KILL`, a proxy cut it) and, for silent drops, by a PING after
  `ping_interval` seconds of quiet that gets no answer within another `ping_interval`. It
  reconnects with exponential backoff and jitter (`backoff_initial` doubling up to
  `backoff_max`), logging once at WARNING when the connection is lost (and again every minute
  while it stays down) and at INFO when it is back; on every (re)connection it wakes the feed,
  which reads whatever was committed meanwhile. `connected` is what `/ready` reports.
- The process starts even when Redis is unreachable (`start` waits a little, then leaves the
  listener retrying in the background), so a Redis outage never stops the API itself.
"""

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from domain.redaction import redacted_url
from events.deployment import deployment_id
from events.metrics import metrics

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL_PREFIX = "certs"
#: While Redis stays unreachable, the WARNING is repeated this often (the retries in between log
#: at DEBUG), so an operator reading the recent log still sees that it is down.
STILL_DOWN_WARNING_SECONDS = 60.0
#: A PUBLISH that takes longer is abandoned (the others poll).
PUBLISH_TIMEOUT_SECONDS = 1.0


def default_client_name() -> str:
    """How this process shows in Redis's CLIENT LIST (no spaces allowed there)."""
    host = "".join(c if c.isalnum() or c in "-._" else "-" for c in socket.gethostname())
    return f"certs-events-{host}-{os.getpid()}"


def channel_name(prefix: str, deployment_id: str) -> str:
    return f"{prefix}:{deployment_id}:wakeups"


class RedisNotifier:
    """`start` it in the app's lifespan with the deployment's id and what to call on a nudge."""

    def __init__(
        self,
        url: str,
        *,
        channel_prefix: str = DEFAULT_CHANNEL_PREFIX,
        client_name: str | None = None,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        ping_interval: float = 15.0,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.channel_prefix = channel_prefix
        self.channel = ""
        self.client_name = client_name or default_client_name()
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.ping_interval = ping_interval
        self.timeout = timeout
        self._on_wake: Callable[[], None] = lambda: None
        self._listener: asyncio.Task[None] | None = None
        self._publisher_task: asyncio.Task[None] | None = None
        self._pending = asyncio.Event()
        self._connected = asyncio.Event()

    def notify(self) -> None:
        """Tell the other processes something was committed; returns at once."""
        self._pending.set()

    # Life cycle.

    @property
    def connected(self) -> bool:
        """Whether the listener is subscribed right now."""
        return self._connected.is_set()

    async def start(
        self, deployment_id: str, on_wake: Callable[[], None], wait: float | None = None
    ) -> None:
        """Start listening and wait (up to `wait`, default `timeout`) until subscribed.

        When Redis does not answer in time, the process goes on (the API works; other processes'
        changes arrive by polling until the listener gets through), having said so in the log."""
        if self._listener is not None:
            return
        self.channel = channel_name(self.channel_prefix, deployment_id)
        self._on_wake = on_wake
        self._listener = asyncio.create_task(self._listen(), name="redis-wakeup-listener")
        self._publisher_task = asyncio.create_task(self._publish(), name="redis-wakeup-publisher")
        if not await self.wait_connected(self.timeout if wait is None else wait):
            logger.warning(
                "Redis: not reachable yet at %s; serving, with changes from other processes "
                "arriving by polling until it is (retrying in the background)",
                redacted_url(self.url),
            )

    async def wait_connected(self, within: float) -> bool:
        """True once the listener is subscribed; False if it is not within `within` seconds."""
        try:
            await asyncio.wait_for(self._connected.wait(), within)
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        for task in (self._listener, self._publisher_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._listener = self._publisher_task = None
        self._connected.clear()

    # Inside.

    async def _publish(self) -> None:
        """One PUBLISH per burst of commits, on a client of its own. A pooled connection may be
        stale after Redis restarted: retried once on a new one (a wake-up sent twice is harmless)."""
        client = Redis.from_url(
            self.url,
            socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS,
            socket_timeout=PUBLISH_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 1),
            client_name=f"{self.client_name}-pub",
        )
        failing = False
        try:
            while True:
                await self._pending.wait()
                self._pending.clear()
                try:
                    await client.publish(self.channel, b"1")
                    failing = False
                except (RedisError, OSError) as error:
                    metrics.wakeups_failed_total += 1
                    if not failing:
                        logger.warning(
                            "Redis: could not publish a wake-up (%s: %s); the other processes "
                            "find the change at their next poll",
                            type(error).__name__,
                            error,
                        )
                    failing = True
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()

    async def _listen(self) -> None:
        """Subscribe, pump messages, and on any connection failure reconnect with backoff."""
        loop = asyncio.get_running_loop()
        delay = self.backoff_initial
        ever_connected = False
        down_since: float | None = None
        warned_at = 0.0
        while True:
            # Fresh client each time, without redis-py's own retries: a drop must surface here,
            # where it is logged and backed off, not be papered over inside a read.
            client = Redis.from_url(
                self.url,
                socket_connect_timeout=self.timeout,
                socket_timeout=self.timeout,
                retry=Retry(NoBackoff(), 0),
                client_name=self.client_name,
            )
            pubsub = client.pubsub()
            try:
                await self._subscribe(pubsub)
                if down_since is None:
                    logger.info(
                        "Redis: listening for wake-ups on %r at %s",
                        self.channel,
                        redacted_url(self.url),
                    )
                else:
                    logger.info(
                        "Redis: connection restored after %.1f s; wake-ups flow again "
                        "(events committed meanwhile are read from the outbox)",
                        loop.time() - down_since,
                    )
                ever_connected, down_since, delay = True, None, self.backoff_initial
                self._connected.set()
                self._on_wake()
                await self._pump(pubsub)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                self._connected.clear()
                now = loop.time()
                reason = f"{type(error).__name__}: {error}"
                if down_since is None:
                    down_since = warned_at = now
                    what = "connection lost" if ever_connected else "cannot connect"
                    logger.warning(
                        "Redis: %s (%s); changes from other processes arrive by polling until "
                        "it is back. Reconnecting",
                        what,
                        reason,
                    )
                elif now - warned_at >= STILL_DOWN_WARNING_SECONDS:
                    warned_at = now
                    logger.warning(
                        "Redis: still unreachable after %.0f s (%s); reconnecting",
                        now - down_since,
                        reason,
                    )
                else:
                    logger.debug("Redis: reconnect failed (%s); retrying in %.1f s", reason, delay)
            except Exception:
                # A bug, not an outage: keep the listener alive rather than silence every socket.
                self._connected.clear()
                if down_since is None:
                    down_since = warned_at = loop.time()
                logger.exception("Redis: unexpected error in the listener; reconnecting")
            finally:
                await _close_quietly(pubsub, client)
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not crypto
            delay = min(delay * 2, self.backoff_max)

    async def _subscribe(self, pubsub: PubSub) -> None:
        """SUBSCRIBE and wait for Redis to confirm it, so nothing published after this is missed."""
        await pubsub.subscribe(self.channel)
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise RedisTimeoutError("no confirmation of SUBSCRIBE")
            message = await pubsub.get_message(timeout=remaining)
            if message is not None and message["type"] == "subscribe":
                return

    async def _pump(self, pubsub: PubSub) -> None:
        """Deliver messages until the connection fails; PING when quiet to catch silent drops."""
        awaiting_pong = False
        while True:
            message: dict[str, Any] | None = await pubsub.get_message(timeout=self.ping_interval)
            if message is None:
                if awaiting_pong:
                    raise RedisTimeoutError(f"no answer to PING within {self.ping_interval} s")
                await pubsub.ping()
                awaiting_pong = True
                continue
            awaiting_pong = False
            if message["type"] == "message":
                self._on_wake()  # whatever it says: the feed reads the database


async def _close_quietly(pubsub: PubSub, client: Redis) -> None:
    with contextlib.suppress(Exception):
        await pubsub.aclose()  # type: ignore[no-untyped-call]
    with contextlib.suppress(Exception):
        await client.aclose()


async def wake_servers(url: str | None, channel_prefix: str) -> bool:
    """One wake-up from a short-lived process (`certs token revoke`, `certs jobs run`), so the
    servers read what it committed now rather than at their next poll. False if Redis is unset or
    did not take it (the servers poll anyway). Needs the database initialised (the deployment id)."""
    if not url:
        return False
    client = Redis.from_url(
        url,
        socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS,
        socket_timeout=PUBLISH_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        await client.publish(channel_name(channel_prefix, await deployment_id()), b"1")
    except (RedisError, OSError) as error:
        logger.warning("Redis: could not wake the servers (%s); they poll", error)
        return False
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()
    return True
