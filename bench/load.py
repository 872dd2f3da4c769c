"""A closed-loop HTTP/1.1 load generator over loopback: N keep-alive connections, one request in
flight on each, for a bounded time and a bounded number of requests.

A few lines of asyncio streams instead of an HTTP client library: the client shares the machine's
two cores with the server, so the less CPU it spends per request the more the numbers say about
the server. Each response is checked (status 200, no GraphQL `errors`).
"""

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson


@dataclass(frozen=True)
class HttpRequest:
    """A request, serialised once: the load loop only writes bytes."""

    raw: bytes

    @classmethod
    def build(
        cls,
        host: str,
        port: int,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes = b"",
    ) -> "HttpRequest":
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        return cls(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def graphql_request(
    host: str, port: int, token: str, query: str, variables: dict[str, object] | None = None
) -> HttpRequest:
    body = orjson.dumps({"query": query, "variables": variables or {}})
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    return HttpRequest.build(host, port, "POST", "/graphql", headers, body)


def get_request(host: str, port: int, token: str, path: str) -> HttpRequest:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    return HttpRequest.build(host, port, "GET", path, headers)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile `p` (0-100) of `values`; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


@dataclass
class LoadResult:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    response_bytes: int = 0
    #: CPU seconds the server spent (user + system, all its processes) while being measured.
    server_cpu: float | None = None

    @classmethod
    def merged(cls, parts: Sequence["LoadResult"]) -> "LoadResult":
        """Several measurements of the same cell as one (the rounds of an interleaved cell)."""
        cpu = [part.server_cpu for part in parts]
        return cls(
            clients=parts[0].clients,
            seconds=sum(part.seconds for part in parts),
            latencies=[latency for part in parts for latency in part.latencies],
            errors=sum(part.errors for part in parts),
            first_error=next((part.first_error for part in parts if part.first_error), None),
            response_bytes=sum(part.response_bytes for part in parts),
            server_cpu=None if any(c is None for c in cpu) else sum(c or 0.0 for c in cpu),
        )

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float:
        """Milliseconds."""
        return percentile(self.latencies, p) * 1000

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU per request: unlike throughput, barely moved by other load on the machine."""
        if self.server_cpu is None or not self.latencies:
            return float("nan")
        return self.server_cpu / len(self.latencies) * 1000

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p99(self) -> float:
        return self.percentile(99)


def round_ratios(
    tops: Sequence[LoadResult],
    bottoms: Sequence[LoadResult],
    measure: Callable[[LoadResult], float],
) -> list[float]:
    """`measure(top) / measure(bottom)` round by round (two sides' parts of an interleaved cell),
    leaving out a round in which either side measured nothing."""
    pairs = ((measure(top), measure(bottom)) for top, bottom in zip(tops, bottoms, strict=True))
    return [
        top / bottom for top, bottom in pairs if bottom and top and not math.isnan(top + bottom)
    ]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = -1
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(max(length, 0))
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, bytes(body)
        body += chunk[:-2]


def _problem(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {body[:300]!r}"
    if b'"errors":[{' in body or b'"errors": [{' in body:
        return f"GraphQL errors: {body[:300]!r}"
    return None


async def run_load(
    host: str,
    port: int,
    requests: Sequence[HttpRequest],
    *,
    clients: int,
    duration: float,
    warmup: float,
    max_requests: int,
    cpu_probe: Callable[[], float] | None = None,
) -> LoadResult:
    """`clients` connections send `requests` round-robin for `warmup` + `duration` seconds (or
    until `max_requests` were measured); only responses started after the warm-up are measured."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    record_from = start + warmup
    stop_at = record_from + duration
    result = LoadResult(clients=clients, seconds=duration)
    budget = [max_requests]
    cpu_at_start: list[float] = []
    if cpu_probe is not None:
        loop.call_at(record_from, lambda: cpu_at_start.append(cpu_probe()))

    async def client(index: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        position = index * 7919
        try:
            while True:
                sent_at = loop.time()
                if sent_at >= stop_at or budget[0] <= 0:
                    return
                request = requests[position % len(requests)]
                position += 1
                began = time.perf_counter()
                writer.write(request.raw)
                status, body = await _read_response(reader)
                took = time.perf_counter() - began
                if sent_at < record_from:
                    continue
                budget[0] -= 1
                result.latencies.append(took)
                result.response_bytes += len(body)
                problem = _problem(status, body)
                if problem is not None:
                    result.errors += 1
                    result.first_error = result.first_error or problem
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    await asyncio.wait_for(
        asyncio.gather(*(client(i) for i in range(clients))), timeout=warmup + duration + 60
    )
    if cpu_probe is not None and cpu_at_start:
        result.server_cpu = cpu_probe() - cpu_at_start[0]
    elapsed = min(loop.time(), stop_at) - record_from
    if budget[0] <= 0:
        result.seconds = max(elapsed, 1e-9)
    return result


@dataclass(frozen=True)
class Side:
    """One of the servers an interleaved cell compares: its requests and how to read its CPU."""

    name: str
    port: int
    requests: Sequence[HttpRequest]
    cpu_probe: Callable[[], float]


async def interleaved_rounds(
    host: str,
    sides: Sequence[Side],
    *,
    rounds: int,
    clients: int,
    duration: float,
    warmup: float,
    max_requests: int,
    before_turn: Callable[[], Awaitable[None]],
) -> dict[str, list[LoadResult]]:
    """The sides take turns `rounds` times, each measuring `duration / rounds` (a drift of the
    machine's speed during the cell hits every side alike), each round starting with the next
    side (none always follows the same one); `before_turn` runs before every turn. Later rounds
    only reopen their connections: the servers are warm. Returns each side's parts, in rounds."""
    rounds = max(rounds, 1)
    parts: dict[str, list[LoadResult]] = {side.name: [] for side in sides}
    for round_ in range(rounds):
        turn = round_ % len(sides)
        for side in [*sides[turn:], *sides[:turn]]:
            await before_turn()
            part = await run_load(
                host,
                side.port,
                side.requests,
                clients=clients,
                duration=duration / rounds,
                warmup=warmup if round_ == 0 else min(warmup, 0.5),
                max_requests=max(max_requests // rounds, 1),
                cpu_probe=side.cpu_probe,
            )
            parts[side.name].append(part)
    return parts


async def fetch_once(host: str, port: int, request: HttpRequest) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request.raw)
        return await asyncio.wait_for(_read_response(reader), timeout=30)
    finally:
        writer.close()
        await writer.wait_closed()


async def same_answer(
    what: str, graphql: tuple[int, HttpRequest], plain: tuple[int, HttpRequest], host: str
) -> Any:
    """Sends each (port, request) once; both must answer 200 with the same JSON, which is returned."""
    status_g, body_g = await fetch_once(host, graphql[0], graphql[1])
    status_p, body_p = await fetch_once(host, plain[0], plain[1])
    if status_g != 200 or status_p != 200:
        raise RuntimeError(f"{what}: HTTP {status_g} / {status_p}: {body_g[:300]!r}")
    answer = orjson.loads(body_g)
    if answer != orjson.loads(body_p):
        raise RuntimeError(
            f"{what}: the plain endpoint does not answer what GraphQL answers:\n"
            f"graphql: {body_g[:1500]!r}\nplain:   {body_p[:1500]!r}"
        )
    return answer
