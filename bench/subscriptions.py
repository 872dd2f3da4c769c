"""Benchmark 3: WebSocket subscribers (`graphql-transport-ws`), all listening to status changes.

For each setup: open N subscriptions (a reviewer's dashboard: every change it may see), measure
the server's resident memory before and after (per idle subscriber), then commit mutations
(rejections of requests in review) one at a time and time, for each, the moment the last
subscriber has the event, counted from when the mutation was sent (so the mutation's own time is
included). Two setups: one server process; two `certs serve` processes sharing events through
Redis (subscribers split between them, the mutation sent to the first).
"""

import asyncio
import contextlib
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeAlias

import httpx
import orjson
from redis.asyncio import Redis
from tortoise.transactions import in_transaction
from websockets.asyncio.client import ClientConnection, connect

from bench.data import Dataset
from bench.load import percentile
from bench.operations import REJECT, SUBSCRIPTION
from bench.report import Table
from bench.servers import REPO, Server, certs_serve
from domain.enums import RequestStatus, Role
from events.deployment import deployment_id
from events.redis_wakeups import channel_name
from models import CertificateRequest, User
from resolvers.ids import from_global_id, to_global_id
from services.history import record_request_change
from services.principal import Principal

CONNECT_CONCURRENCY = 50
EVENT_TIMEOUT = 60.0
#: Subscribers opened before the memory baseline is taken (code paths warmed up).
WARM_SUBSCRIBERS = 20
#: The dashboards all use the bench's one reviewer token: the servers measured here lift the
#: per-token cap on sockets (MAX_SOCKETS_PER_TOKEN, 10 by default), which would refuse the 11th.
SOCKETS_PER_TOKEN = {"MAX_SOCKETS_PER_TOKEN": "100000"}


@dataclass
class Subscriber:
    token: str
    url: str
    socket: ClientConnection | None = None
    received: dict[str, float] = field(default_factory=dict)
    problem: str | None = None
    #: Told SUBSCRIPTION_LAGGING (it must refetch): the events after that are not missed silently.
    told_at: float | None = None
    task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.socket = await connect(
            self.url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            open_timeout=60,
            ping_interval=None,
            max_size=2**20,
        )
        await self.socket.send(
            orjson.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}}
            ).decode()
        )
        ack = orjson.loads(await asyncio.wait_for(self.socket.recv(), timeout=60))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await self.socket.send(
            orjson.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}
            ).decode()
        )

    async def listen(self, arrived: "Arrivals") -> None:
        assert self.socket is not None
        async for raw in self.socket:
            message = orjson.loads(raw)
            kind = message.get("type")
            if kind == "ping":
                await self.socket.send('{"type":"pong"}')
            elif kind == "next":
                at = time.perf_counter()
                payload = message["payload"]
                if payload.get("errors"):
                    codes = {e.get("extensions", {}).get("code") for e in payload["errors"]}
                    if "SUBSCRIPTION_LAGGING" in codes:
                        self.told_at = at
                    else:
                        self.problem = str(payload["errors"])[:300]
                    continue
                change = payload["data"]["certificateRequestStatusChanged"]
                request_id = change["request"]["id"]
                self.received[request_id] = at
                arrived.add(request_id)
            elif kind in ("error", "complete"):
                if self.told_at is None:
                    self.problem = str(message)[:300]
                return

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.socket is not None:
            await self.socket.close()


class Arrivals:
    """How many subscribers have each event; wakes the waiter when all of them have it."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.counts: dict[str, int] = {}
        self.complete: dict[str, asyncio.Event] = {}

    def event(self, request_id: str) -> asyncio.Event:
        return self.complete.setdefault(request_id, asyncio.Event())

    def add(self, request_id: str) -> None:
        self.counts[request_id] = self.counts.get(request_id, 0) + 1
        if self.counts[request_id] >= self.expected:
            self.event(request_id).set()


@dataclass
class FanOut:
    setup: str
    subscribers: int
    connect_seconds: float
    kib_per_subscriber: float | None
    to_last_ms: list[float]
    to_median_ms: list[float]
    mutation_ms: list[float]
    missed: int
    problems: list[str]


async def _open_all(subscribers: list[Subscriber], arrivals: Arrivals) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one(subscriber: Subscriber) -> None:
        async with gate:
            await subscriber.open()
        subscriber.task = asyncio.create_task(subscriber.listen(arrivals))

    await asyncio.gather(*(open_one(s) for s in subscribers))


async def _reject(client: httpx.AsyncClient, server: Server, token: str, request_id: str) -> None:
    response = await client.post(
        f"{server.base_url}/graphql",
        json={
            "query": REJECT,
            "variables": {
                "input": {
                    "requestId": request_id,
                    "observations": "El RUT no está actualizado; adjunta el expedido este año.",
                }
            },
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    payload = (body.get("data") or {}).get("rejectCertificateRequest")
    if response.status_code != 200 or not payload or payload["errors"]:
        raise RuntimeError(f"reject failed: {response.status_code} {body}")


async def measure(
    setup: str,
    servers: list[Server],
    dataset: Dataset,
    request_ids: list[int],
    subscribers: int,
) -> FanOut:
    """`subscribers` split over `servers`; one timed mutation per id of `request_ids` (the first
    one warms up and is not counted)."""
    arrivals = Arrivals(subscribers)
    everyone = [
        Subscriber(dataset.reviewer_token, servers[i % len(servers)].ws_url)
        for i in range(subscribers)
    ]
    single = servers[0] if len(servers) == 1 else None
    try:
        warm = everyone[:WARM_SUBSCRIBERS]
        await _open_all(warm, arrivals)
        await asyncio.sleep(1.0)
        before = single.rss_kib() if single else 0
        started = time.perf_counter()
        await _open_all(everyone[WARM_SUBSCRIBERS:], arrivals)
        connect_seconds = time.perf_counter() - started
        await asyncio.sleep(3.0)  # idle: what each open subscription costs at rest
        per_subscriber = (
            (single.rss_kib() - before) / (subscribers - WARM_SUBSCRIBERS)
            if single and subscribers > WARM_SUBSCRIBERS
            else None
        )
        to_last: list[float] = []
        to_median: list[float] = []
        mutation: list[float] = []
        missed = 0
        async with httpx.AsyncClient(timeout=60) as client:
            for index, pk in enumerate(request_ids):
                request_id = to_global_id("CertificateRequest", pk)
                done = arrivals.event(request_id)
                sent = time.perf_counter()
                await _reject(client, servers[0], dataset.reviewer_token, request_id)
                answered = time.perf_counter()
                with contextlib.suppress(TimeoutError):  # counted as missed below
                    await asyncio.wait_for(done.wait(), timeout=EVENT_TIMEOUT)
                times = [
                    s.received[request_id] - sent for s in everyone if request_id in s.received
                ]
                if index == 0:
                    continue  # warm-up
                missed += subscribers - len(times)
                if times:
                    to_last.append(max(times) * 1000)
                    to_median.append(statistics.median(times) * 1000)
                mutation.append((answered - sent) * 1000)
                await asyncio.sleep(0.3)
        problems = sorted({s.problem for s in everyone if s.problem})
        return FanOut(
            setup,
            subscribers,
            connect_seconds,
            per_subscriber,
            to_last,
            to_median,
            mutation,
            missed,
            problems,
        )
    finally:
        await asyncio.gather(*(s.close() for s in everyone), return_exceptions=True)


async def run_subscriptions(
    dataset: Dataset,
    env: dict[str, str],
    *,
    subscribers: int,
    events: int,
    redis_url: str,
    label: str,
) -> Table:
    table = Table(
        f"Subscriptions ({label}): fan-out of one status change to every subscriber",
        [
            "setup",
            "subscribers",
            "connect s",
            "KiB per idle subscriber",
            "to last p50 ms",
            "to last p99 ms",
            "median subscriber ms",
            "mutation ms",
            "missed",
        ],
    )
    ids = list(dataset.in_review_request_ids)
    needed = events + 1
    setups: list[tuple[str, int]] = [("1 process", 1), ("2 processes + Redis", 2)]
    results: list[FanOut] = []
    for setup, processes in setups:
        if len(ids) < needed:
            table.note(f"{setup}: skipped, not enough requests in review left")
            continue
        chosen, ids = ids[:needed], ids[needed:]
        extra = (
            {"REDIS_URL": redis_url, "REDIS_CHANNEL_PREFIX": f"bench-{uuid.uuid4().hex[:8]}"}
            if processes > 1
            else {}
        )
        with ExitStack() as stack:
            servers = [
                stack.enter_context(certs_serve({**env, **extra, **SOCKETS_PER_TOKEN}, 1))
                for _ in range(processes)
            ]
            result = await measure(setup, servers, dataset, chosen, subscribers)
        results.append(result)
        table.add(
            setup,
            result.subscribers,
            result.connect_seconds,
            result.kib_per_subscriber,
            percentile(result.to_last_ms, 50),
            percentile(result.to_last_ms, 99),
            percentile(result.to_median_ms, 50),
            percentile(result.mutation_ms, 50),
            result.missed,
        )
        print(table.rows[-1], flush=True)
        for problem in result.problems[:3]:
            table.note(f"{setup}: {problem}")
    table.note(
        f"{events} timed mutations per setup (after one warm-up), each a rejection by a reviewer; "
        "times from sending the mutation to the last (or median) subscriber receiving the event; "
        "p99 of so few samples is their maximum"
    )
    table.note(
        "memory: VmRSS of the server process after the subscribers have been idle 3 s, minus "
        f"before, over the subscribers opened in between (after {WARM_SUBSCRIBERS} warm ones)"
    )
    return table


# At a rate: changes keep coming, faster than any one fan-out.

#: Processes the mutations are spread over (the subscribers' worker is another one); one on
#: SQLite, whose writers from two processes fail on its lock ("database is locked").
WRITERS = 2


@dataclass
class RateResult:
    changes: int
    seconds: float
    subscribers: int
    delivered: int
    told: int
    silently_missed: int
    lag_ms: list[float]
    #: From the mutation's answer (its commit is before it) to the arrival; 0 if it came first.
    lag_after_commit_ms: list[float]
    mutation_ms: list[float]
    problems: list[str]


def customer_of(dataset: Dataset, company_id: int) -> str:
    """The token of the bench's user of a company (company ids are 1..N, in token order)."""
    return dataset.customer_tokens[company_id - 1]


#: One change to make: (its index, the request's global id).
Change: TypeAlias = Callable[[int, str], Awaitable[None]]
#: Changes to the requests (global ids) made at a rate (per second), each on its own schedule;
#: for each, when it was started and when it was committed (`time.perf_counter()`).
Changes: TypeAlias = Callable[[list[str], float], Awaitable[dict[str, tuple[float, float]]]]


def in_this_process(change: Change, start: float | None = None) -> Changes:
    """Each change made by this process, the first at `start` (a `time.perf_counter()` instant;
    at once by default)."""

    async def run(request_ids: list[str], rate: float) -> dict[str, tuple[float, float]]:
        times: dict[str, tuple[float, float]] = {}
        started = time.perf_counter() if start is None else start

        async def one(index: int, request_id: str) -> None:
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
            sent = time.perf_counter()
            await change(index, request_id)
            times[request_id] = (sent, time.perf_counter())

        await asyncio.gather(*(one(i, rid) for i, rid in enumerate(request_ids)))
        return times

    return run


def from_a_writer_process(database_url: str, redis_url: str, prefix: str) -> Changes:
    """The changes written by `python -m bench.writer`, so that reading the subscribers' messages
    here does not delay them."""

    async def run(request_ids: list[str], rate: float) -> dict[str, tuple[float, float]]:
        job = {
            "database_url": database_url,
            "redis_url": redis_url,
            "prefix": prefix,
            "request_ids": request_ids,
            "rate": rate,
            "start": time.perf_counter() + 2.0,  # the writer's start-up (Tortoise, Redis)
        }
        writer = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.writer",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        out, _ = await writer.communicate(orjson.dumps(job))
        if writer.returncode != 0:
            raise RuntimeError(f"bench.writer failed ({writer.returncode})")
        times: dict[str, list[float]] = orjson.loads(out)
        return {request_id: (sent, done) for request_id, (sent, done) in times.items()}

    return run


async def direct_changes(
    redis_url: str, prefix: str
) -> tuple[Change, Callable[[], Awaitable[None]]]:
    """Rejections written by this process the way a use case writes them (the request, its history
    row and its event-outbox row in one transaction), then a wake-up on Redis: the changes cost the
    measured worker nothing but their fan-out."""
    user = await User.get(role=Role.REVIEWER)
    reviewer = Principal(user.id, user.name, user.email, Role.REVIEWER, None)
    client = Redis.from_url(redis_url)
    channel = channel_name(prefix, await deployment_id())

    async def change(index: int, request_id: str) -> None:
        decoded = from_global_id(request_id)
        assert decoded is not None
        pk = decoded[1]
        async with in_transaction():
            await CertificateRequest.filter(id=pk).update(status=RequestStatus.REJECTED)
            request = await CertificateRequest.get(id=pk)
            await record_request_change(
                request,
                from_status=RequestStatus.IN_REVIEW,
                actor=reviewer,
                at=datetime.now(UTC),
                note="El RUT no está actualizado.",
            )
        await client.publish(channel, b"1")

    return change, client.aclose


def _mutations(http: httpx.AsyncClient, writers: list[Server], token: str) -> Change:
    async def mutate(index: int, request_id: str) -> None:
        await _reject(http, writers[index % len(writers)], token, request_id)

    return mutate


async def measure_rate(
    server: Server,
    changes: Changes,
    dataset: Dataset,
    request_ids: list[int],
    tokens: list[str],
    rate: float,
) -> RateResult:
    """One subscriber per token on `server`; `change` (a rejection) made at `rate` per second
    (each on its own schedule, not waiting for the previous one). For every subscriber, each change it may see
    either arrived (its lag: from sending the mutation to the arrival) or the subscriber was told
    SUBSCRIPTION_LAGGING; anything else is missed silently."""
    subscribers = len(tokens)
    arrivals = Arrivals(subscribers)
    everyone = [Subscriber(token, server.ws_url) for token in tokens]
    reviewer = dataset.reviewer_token
    companies = {
        to_global_id("CertificateRequest", pk): dataset.company_of_request[pk] for pk in request_ids
    }
    may_see = [
        None
        if token == reviewer
        else next((c for c in companies.values() if customer_of(dataset, c) == token), -1)
        for token in tokens
    ]
    sent_at: dict[str, float] = {}
    answered_at: dict[str, float] = {}
    mutation: list[float] = []
    try:
        await _open_all(everyone, arrivals)
        await asyncio.sleep(2.0)
        ids = [to_global_id("CertificateRequest", pk) for pk in request_ids]
        times = await changes(ids, rate)
        for request_id, (sent, answered) in times.items():
            sent_at[request_id], answered_at[request_id] = sent, answered
            mutation.append((answered - sent) * 1000)
        seconds = max(answered_at.values()) - min(sent_at.values())

        def expected(index: int) -> set[str]:
            company = may_see[index]
            return {r for r, c in companies.items() if company is None or c == company}

        def settled() -> bool:
            return all(
                s.told_at is not None or s.problem or len(s.received) >= len(expected(i))
                for i, s in enumerate(everyone)
            )

        for _ in range(int(EVENT_TIMEOUT * 10)):  # until settled, at most EVENT_TIMEOUT
            if settled():
                break
            await asyncio.sleep(0.1)
        lag: list[float] = []
        after_commit: list[float] = []
        delivered = silently_missed = 0
        for index, subscriber in enumerate(everyone):
            for request_id in expected(index):
                sent = sent_at[request_id]
                arrived = subscriber.received.get(request_id)
                if arrived is not None:
                    delivered += 1
                    lag.append((arrived - sent) * 1000)
                    after_commit.append(max(0.0, arrived - answered_at[request_id]) * 1000)
                elif subscriber.told_at is None:
                    silently_missed += 1
        return RateResult(
            changes=len(ids),
            seconds=seconds,
            subscribers=subscribers,
            delivered=delivered,
            told=sum(s.told_at is not None for s in everyone),
            silently_missed=silently_missed,
            lag_ms=lag,
            lag_after_commit_ms=after_commit,
            mutation_ms=mutation,
            problems=sorted({s.problem for s in everyone if s.problem}),
        )
    finally:
        await asyncio.gather(*(s.close() for s in everyone), return_exceptions=True)


async def run_subscriptions_at_rate(
    dataset: Dataset,
    env: dict[str, str],
    *,
    subscribers: int,
    rate: float,
    seconds: float,
    skip: int,
    redis_url: str,
    label: str,
) -> Table:
    table = Table(
        f"Subscriptions ({label}): changes at a steady rate, one process",
        [
            "subscribers are",
            "changes by",
            "changes/s",
            "changes",
            "subscribers",
            "delivered",
            "told to refetch",
            "missed silently",
            "lag p50 ms",
            "lag p99 ms",
            "after commit p50 ms",
            "after commit p99 ms",
            "change p50 ms",
        ],
    )
    ids = list(dataset.in_review_request_ids)[skip:]
    per_setup = min(2 * int(rate * seconds), len(ids) // 2)
    if per_setup < int(rate * seconds):
        table.note(f"only {per_setup} requests in review left per setup")
    # Customers' screens: the companies of the changes first (one screen each), then others.
    first_ids, second_ids = ids[:per_setup], ids[per_setup : 2 * per_setup]
    changing = list(dict.fromkeys(dataset.company_of_request[pk] for pk in second_ids))
    others = [
        t
        for t in dataset.customer_tokens_shuffled()
        if t not in set(customer_of(dataset, c) for c in changing)
    ]
    customers = ([customer_of(dataset, c) for c in changing] + others)[:subscribers]
    setups = [
        ("reviewers' dashboards", first_ids, [dataset.reviewer_token] * subscribers),
        ("customers' screens", second_ids, customers),
    ]
    # The subscribers' worker only fans out; the changes come from elsewhere: mutations on other
    # processes of the deployment (as a load balancer spreads them), or written by this process.
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    shared = {**env, **SOCKETS_PER_TOKEN, "REDIS_URL": redis_url, "REDIS_CHANNEL_PREFIX": prefix}
    writers_count = WRITERS if shared.get("DATABASE_URL", "").startswith("postgres") else 1
    half = per_setup // 2
    runs = [
        ("reviewers' dashboards", "mutations", first_ids[:half], setups[0][2]),
        ("reviewers' dashboards", "written", first_ids[half:], setups[0][2]),
        ("customers' screens", "mutations", second_ids[:half], setups[1][2]),
        ("customers' screens", "written", second_ids[half:], setups[1][2]),
    ]
    for name, how, chosen, tokens in runs:
        with ExitStack() as stack:
            server = stack.enter_context(certs_serve(shared, 1))
            if how == "mutations":
                writers = [
                    stack.enter_context(certs_serve(shared, 1)) for _ in range(writers_count)
                ]
                http = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=200))
                changes = in_this_process(_mutations(http, writers, dataset.reviewer_token))
                close: Callable[[], Awaitable[None]] | None = http.aclose
            else:
                changes = from_a_writer_process(dataset.database_url, redis_url, prefix)
                close = None
            try:
                result = await measure_rate(server, changes, dataset, chosen, tokens, rate)
            finally:
                if close is not None:
                    await close()
        table.add(
            name,
            how,
            result.changes / result.seconds if result.seconds else None,
            result.changes,
            result.subscribers,
            result.delivered,
            result.told,
            result.silently_missed,
            percentile(result.lag_ms, 50),
            percentile(result.lag_ms, 99),
            percentile(result.lag_after_commit_ms, 50),
            percentile(result.lag_after_commit_ms, 99),
            percentile(result.mutation_ms, 50),
        )
        print(table.rows[-1], flush=True)
        for problem in result.problems[:3]:
            table.note(f"{name}: {problem}")
    table.note(
        "reviewers' dashboards: every subscriber sees every change; customers' screens: each "
        "watches its own company (one per company whose request changes, the rest other "
        f"companies'); rejections sent at {rate:g}/s for {seconds:g} s, each on its own "
        "schedule; 'mutations': rejections over HTTP to other processes (2 on PostgreSQL, 1 on "
        "SQLite), 'written': the same rows written by a process of the benchmark's "
        "(`bench.writer`) in one transaction each, then a Redis wake-up (the subscribers' worker only fans out); lag from starting "
        "the change, and from its end (after its commit), to the arrival; 'delivered' counts (subscriber, change it may see) pairs; 'told to refetch': "
        "subscribers that got SUBSCRIPTION_LAGGING (then complete)"
    )
    return table
