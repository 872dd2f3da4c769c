"""Where automatic persisted queries (APQ) are remembered between requests.

Without Redis, each process keeps a bounded least-recently-used memory of its own
(PERSISTED_QUERIES_CACHE_SIZE entries): under `--workers N` a hash one worker has seen is unknown
to the others, and the client resends its query once per worker.

With REDIS_URL, every worker shares the queries through Redis: one key per hash,
`<REDIS_CHANNEL_PREFIX>:<deployment id>:apq:<sha256>` (the id made once per database, as for the
event channels, so two deployments sharing one Redis never read each other's), each with a TTL of
PERSISTED_QUERIES_TTL_SECONDS, and no query longer than MAX_QUERY_CHARS stored. A query read back
is run only if its sha256 is the key's: a forged SET cannot make a hash run another query. The
process's own memory stays in front of Redis, so a query it has seen costs no round trip.

A Redis outage never fails a request: a command that fails or takes more than a fraction of a
second is given up, the process's own memory answers, and Redis is not tried again for a few
seconds. The outage is logged once at WARNING, and its end at INFO.
"""

import hashlib
import logging
import time
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.redaction import redacted_url
from events.deployment import deployment_id

logger = logging.getLogger(__name__)

#: A Redis command that takes longer is given up (the process's memory answers).
REDIS_TIMEOUT_SECONDS = 0.25
#: After a failure, Redis is left alone this long, so that requests do not each wait on it.
RETRY_AFTER_SECONDS = 5.0


class ApqMemory(Protocol):
    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, query: str) -> None: ...

    async def close(self) -> None: ...


class LocalMemory:
    """The queries this process has seen, the least recently used forgotten first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._seen: OrderedDict[str, str] = OrderedDict()

    async def get(self, digest: str) -> str | None:
        known = self._seen.get(digest)
        if known is not None:
            self._seen.move_to_end(digest)
        return known

    async def put(self, digest: str, query: str) -> None:
        self._seen[digest] = query
        self._seen.move_to_end(digest)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)

    async def close(self) -> None:
        return None


class RedisMemory:
    """The queries every worker has seen, in Redis, behind this process's own memory."""

    def __init__(
        self,
        url: str,
        local: LocalMemory,
        *,
        prefix: str,
        ttl_seconds: int,
        max_chars: int,
        timeout: float = REDIS_TIMEOUT_SECONDS,
        retry_after: float = RETRY_AFTER_SECONDS,
    ) -> None:
        self.url = url
        self.local = local
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self.max_chars = max_chars
        self.retry_after = retry_after
        self._redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False
        )
        self._namespace: str | None = None
        self._resting_until = 0.0
        self._down = False

    async def get(self, digest: str) -> str | None:
        known = await self.local.get(digest)
        if known is not None or not self._available():
            return known
        try:
            value = await self._redis.get(await self._key(digest))
        except (RedisError, OSError) as error:
            self._failed(error)
            return None
        self._worked()
        if value is None:
            return None
        query = value.decode() if isinstance(value, bytes) else str(value)
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            return None
        await self.local.put(digest, query)
        return query

    async def put(self, digest: str, query: str) -> None:
        await self.local.put(digest, query)
        if len(query) > self.max_chars or not self._available():
            return
        try:
            await self._redis.set(await self._key(digest), query.encode(), ex=self.ttl_seconds)
        except (RedisError, OSError) as error:
            self._failed(error)
            return
        self._worked()

    async def close(self) -> None:
        await self._redis.aclose()

    async def _key(self, digest: str) -> str:
        if self._namespace is None:
            self._namespace = f"{self.prefix}:{await deployment_id()}:apq:"
        return self._namespace + digest

    def _available(self) -> bool:
        return time.monotonic() >= self._resting_until

    def _failed(self, error: Exception) -> None:
        self._resting_until = time.monotonic() + self.retry_after
        if not self._down:
            self._down = True
            logger.warning(
                "Redis at %s unreachable for persisted queries (%s): each process remembers "
                "its own until it is back",
                redacted_url(self.url),
                error.__class__.__name__,
            )

    def _worked(self) -> None:
        if self._down:
            self._down = False
            logger.info("Redis is back for persisted queries")
