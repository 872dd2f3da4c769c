"""Automatic persisted queries shared by every worker through Redis (server/apq_memory.py): two
app instances on one Redis, one learns a query and the other serves it by hash; the keys' TTL and
size limit; a forged key ignored; and a Redis outage that never fails a request."""

import hashlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from strawberry.http import GraphQLRequestData

from devkit.ports import free_port
from domain.clock import FixedClock
from events.deployment import deployment_id
from server.app import create_app
from server.apq_memory import LocalMemory, RedisMemory
from server.persisted_queries import PersistedQueries
from server.settings import Settings
from tests.support.factories import Caller

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="Redis: TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/10)"
)

QUERY = "query Mine { viewer { user { email } } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
APQ = {"persistedQuery": {"version": 1, "sha256Hash": HASH}}
LOGGER = "server.apq_memory"
#: Where Redis is up, a slow answer on a busy machine must not count as an outage (the production
#: default, 0.25 s, did once under the whole suite): these tests are about what Redis holds.
HEALTHY_REDIS_TIMEOUT = 10.0


@pytest.fixture
def prefix() -> str:
    return f"certs-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def redis(prefix: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    keys = [key async for key in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def worker(settings: Settings, clock: FixedClock) -> Starlette:
    return create_app(settings, clock=clock)


async def ask(app: Starlette, caller: Caller, *, by_get: bool, query: bool) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        if by_get:
            params = {"extensions": orjson.dumps(APQ).decode()}
            return await http.get("/graphql", params=params, headers=caller.headers)
        body = {"extensions": APQ, **({"query": QUERY} if query else {})}
        return await http.post("/graphql", json=body, headers=caller.headers)


@pytest.mark.usefixtures("redis")
@pytest.mark.redis
@needs_redis
async def test_a_query_one_worker_learned_is_served_by_another_by_hash(
    tmp_path: Path, db: str, clock: FixedClock, customer: Caller, prefix: str
) -> None:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db,
        redis_url=REDIS_URL,
        redis_channel_prefix=prefix,
        persisted_queries_redis_timeout_seconds=HEALTHY_REDIS_TIMEOUT,
    )
    first, second = worker(settings, clock), worker(settings, clock)
    unknown = await ask(second, customer, by_get=True, query=False)
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    learned = await ask(first, customer, by_get=False, query=True)
    assert learned.json()["data"]["viewer"]["user"]["email"] == customer.user.email
    served = await ask(second, customer, by_get=True, query=False)
    assert served.status_code == 200
    assert served.json()["data"]["viewer"]["user"]["email"] == customer.user.email


def process_memory(prefix: str) -> RedisMemory:
    """What one process keeps: 10 queries of its own, 100 characters at most, Redis for 60 s."""
    return RedisMemory(
        REDIS_URL,
        LocalMemory(10),
        prefix=prefix,
        ttl_seconds=60,
        max_chars=100,
        timeout=HEALTHY_REDIS_TIMEOUT,
    )


@pytest.mark.redis
@needs_redis
async def test_keys_are_namespaced_expire_and_are_bounded_and_a_forged_one_is_ignored(
    db: str, redis: Redis, prefix: str
) -> None:
    memory = process_memory(prefix)
    try:
        await memory.put(HASH, QUERY)
        key = f"{prefix}:{await deployment_id()}:apq:{HASH}"
        assert await redis.get(key) == QUERY.encode()
        assert 0 < await redis.ttl(key) <= 60

        long_query = "query Long { " + "__typename " * 20 + "}"
        long_hash = hashlib.sha256(long_query.encode()).hexdigest()
        await memory.put(long_hash, long_query)
        assert await redis.exists(f"{prefix}:{await deployment_id()}:apq:{long_hash}") == 0

        forged_hash = hashlib.sha256(b"query Other { __typename }").hexdigest()
        await redis.set(f"{prefix}:{await deployment_id()}:apq:{forged_hash}", QUERY)
        assert await memory.get(forged_hash) is None
    finally:
        await memory.close()

    other_process = process_memory(prefix)
    try:
        assert await other_process.get(HASH) == QUERY
    finally:
        await other_process.close()


async def test_a_redis_outage_falls_back_to_the_process_memory_and_is_logged_once(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    memory = RedisMemory(
        f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        LocalMemory(10),
        prefix="certs",
        ttl_seconds=60,
        max_chars=1000,
        retry_after=0.0,  # tried again at each request: each failure is a fresh one
    )
    persisted = PersistedQueries("apq", memory=memory)
    try:
        with caplog.at_level(logging.INFO, logger=LOGGER):
            learned = await persisted.resolve(GraphQLRequestData(QUERY, None, None, APQ))
            served = await persisted.resolve(GraphQLRequestData(None, None, None, APQ))
            other = hashlib.sha256(b"{ __typename }").hexdigest()
            unknown = await persisted.resolve(
                GraphQLRequestData(None, None, None, {"persistedQuery": {"sha256Hash": other}})
            )
    finally:
        await memory.close()
    assert getattr(learned, "query", None) == QUERY
    assert getattr(served, "query", None) == QUERY
    assert getattr(unknown, "errors", None)
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
