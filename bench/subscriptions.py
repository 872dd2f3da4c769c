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
import statistics
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect

from bench.data import Dataset
from bench.load import percentile
from bench.operations import REJECT, SUBSCRIPTION
from bench.report import Table
from bench.servers import Server, certs_serve
from resolvers.ids import to_global_id

CONNECT_CONCURRENCY = 50
EVENT_TIMEOUT = 60.0
#: Subscribers opened before the memory baseline is taken (code paths warmed up).
WARM_SUBSCRIBERS = 20


@dataclass
class Subscriber:
    token: str
    url: str
    socket: ClientConnection | None = None
    received: dict[str, float] = field(default_factory=dict)
    problem: str | None = None
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
                    self.problem = str(payload["errors"])[:300]
                    continue
                change = payload["data"]["certificateRequestStatusChanged"]
                request_id = change["request"]["id"]
                self.received[request_id] = at
                arrived.add(request_id)
            elif kind in ("error", "complete"):
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
                stack.enter_context(certs_serve({**env, **extra}, 1)) for _ in range(processes)
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
