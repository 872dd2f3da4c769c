"""Status changes through Redis pub/sub, so that a change committed by one server process reaches
the subscribers of every process (several uvicorn workers, several hosts).

How it works: `publish` sends the event's JSON with one PUBLISH on one channel,
`<prefix>:status-changes`. Each process runs one listener task that SUBSCRIBEs to that channel
once and hands every message to an `InProcessBus`, whose bounded per-subscriber queues feed the
GraphQL subscriptions of this process. A process's own events come back to it through Redis like
everyone else's, so every subscriber sees the same stream.

What Redis pub/sub gives, and what it does not (it is fire-and-forget: at most once):

- **A publish while Redis is down does not fail the mutation.** Events are published after the
  transaction committed (`services.dependencies.AfterCommit`): the change, its history row and its
  email are already saved. Raising would turn a saved change into an error for the caller, who
  might retry it. So a failed PUBLISH is logged at ERROR and the event is delivered to this
  process's own subscribers only; subscribers connected to other processes miss it and see the
  new status the next time the screen loads it (the tracking query is the source of truth, the
  subscription only a nudge). In the rare case where PUBLISH reached Redis but its answer was
  lost, this process's subscribers may get that one event twice.
- **While the listener is disconnected, events from other processes are lost for this process**
  (Redis keeps nothing for absent subscribers). The listener notices a drop at once when the
  socket closes (Redis restarted, `CLIENT KILL`, a proxy cut it) and, for silent drops, by a PING
  after `ping_interval` seconds of quiet that gets no answer within another `ping_interval`. It
  reconnects with exponential backoff and jitter (`backoff_initial` doubling up to
  `backoff_max`), logging once at WARNING when the connection is lost (and again every minute
  while it stays down) and at INFO when it is back.
- The process starts even when Redis is unreachable (`start` waits a little, then leaves the
  listener retrying in the background), so a Redis outage never stops the API itself.
"""

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from domain.redaction import redacted_url
from events.bus import InProcessBus
from events.messages import StatusChanged

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL_PREFIX = "certs"
#: While Redis stays unreachable, the WARNING is repeated this often (the retries in between log
#: at DEBUG), so an operator reading the recent log still sees that it is down.
STILL_DOWN_WARNING_SECONDS = 60.0


def default_client_name() -> str:
    """How this process shows in Redis's CLIENT LIST (no spaces allowed there)."""
    host = "".join(c if c.isalnum() or c in "-._" else "-" for c in socket.gethostname())
    return f"certs-events-{host}-{os.getpid()}"


class RedisBus:
    """The EventBus over Redis pub/sub: `start` it in the app's lifespan, `stop` it at shutdown."""

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
        self.channel = f"{channel_prefix}:status-changes"
        self.client_name = client_name or default_client_name()
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.ping_interval = ping_interval
        self.timeout = timeout
        self._local = InProcessBus()
        self._publisher: Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    # The EventBus protocol.

    async def publish(self, event: StatusChanged) -> None:
        """PUBLISH the event; if Redis cannot take it, log it and tell this process's subscribers."""
        try:
            await self._publishing_client().publish(self.channel, event.to_json())
        except (RedisError, OSError) as error:
            logger.error(
                "Redis: could not publish %s (%s: %s). The change is committed; only the "
                "subscribers of this process get this event, those of other processes miss it",
                event,
                type(error).__name__,
                error,
            )
            self._local.deliver(event)

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[StatusChanged]]:
        return self._local.subscribe()

    # Life cycle.

    @property
    def connected(self) -> bool:
        """Whether the listener is subscribed right now."""
        return self._connected.is_set()

    @property
    def subscriber_count(self) -> int:
        return self._local.subscriber_count

    async def start(self, wait: float | None = None) -> None:
        """Start the listener and wait (up to `wait`, default `timeout`) until it has subscribed.

        When Redis does not answer in time, the process goes on (the API works; live updates
        resume once the listener gets through), having said so in the log."""
        if self._listener is not None:
            return
        self._listener = asyncio.create_task(self._listen(), name="redis-bus-listener")
        if not await self.wait_connected(self.timeout if wait is None else wait):
            logger.warning(
                "Redis: not reachable yet at %s; serving without live updates from other "
                "processes until it is (retrying in the background)",
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
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        self._connected.clear()
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            await publisher.aclose()

    # Inside.

    def _publishing_client(self) -> Redis:
        if self._publisher is None:
            # A pooled connection can be stale after Redis restarted: retry once on a new one,
            # quickly, since the caller's mutation response waits for this. Not after a timeout:
            # that PUBLISH may have gone through, and a second one would repeat the event.
            self._publisher = Redis.from_url(
                self.url,
                socket_connect_timeout=min(self.timeout, 2.0),
                socket_timeout=min(self.timeout, 2.0),
                retry=Retry(
                    ExponentialBackoff(cap=0.2, base=0.05),
                    1,
                    supported_errors=(RedisConnectionError,),
                ),
                client_name=f"{self.client_name}-pub",
            )
        return self._publisher

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
                        "Redis: listening for status changes on %r at %s",
                        self.channel,
                        redacted_url(self.url),
                    )
                else:
                    logger.info(
                        "Redis: connection restored after %.1f s; live updates flow again "
                        "(events published meanwhile by other processes were missed)",
                        loop.time() - down_since,
                    )
                ever_connected, down_since, delay = True, None, self.backoff_initial
                self._connected.set()
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
                        "Redis: %s (%s); subscribers of this process get no events from other "
                        "processes until it is back. Reconnecting",
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
                self._deliver(message["data"])

    def _deliver(self, raw: bytes) -> None:
        try:
            event = StatusChanged.from_json(raw)
        except (ValueError, KeyError, TypeError):
            logger.warning("Redis: ignoring a malformed message on %r: %.200r", self.channel, raw)
            return
        self._local.deliver(event)


async def _close_quietly(pubsub: PubSub, client: Redis) -> None:
    with contextlib.suppress(Exception):
        await pubsub.aclose()  # type: ignore[no-untyped-call]
    with contextlib.suppress(Exception):
        await client.aclose()
