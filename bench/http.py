"""`python -m bench.http`: the tracking request over HTTP (`--page queue`: the reviewers' queue
page of 50), `certs serve` with each change off and on (A/B) beside the plain endpoint, with the
garbage collector's pauses.

One dataset (`--database sqlite|postgres`); each variant is a real `certs serve` (one worker)
started by `python -m bench.http serve VARIANT`, which switches that change off in its own
process and then serves exactly as `certs serve` does; the plain endpoint is started by
`python -m bench.http serve-plain` (uvicorn, the same loop and parser). Every server records its
garbage collections (`gc.callbacks`: generation, pause) and hands them over on SIGUSR2. For each
round, each server in turn gets `--clients` closed-loop clients sending the tracking request
(tokens of many companies round-robin) for `--seconds`: a slower minute of the shared host falls
on all of them. Per variant: req/s, p50/p99/p99.9 of the latency, server CPU per request (/proc),
the median over the rounds of its CPU per request over the first variant's in the same round,
and the collections per 1,000 requests, the CPU they took per request and the longest pause.

Variants (each is everything on but one):
- `all`: as served.
- `-acyclic_executor`: graphql-core's executor as it is, in a reference cycle through its
  `async_helpers` (tuning/acyclic_executor.py), freed by the garbage collector.
- `-statement_count`: each operation's SQL count from a LogRecord per statement, Tortoise's
  logger at DEBUG (tuning/statement_count.py off).
"""

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
import uvloop

from bench.data import Sizes, fresh_database, load, tokens_used_now, tortoise
from bench.inprocess import sql_counted_by_log_records
from bench.load import (
    HttpRequest,
    LoadResult,
    get_request,
    graphql_request,
    percentile,
    run_load,
)
from bench.operations import QUEUE, TRACKING
from bench.report import Table
from bench.servers import HOST, Server, _running, server_env
from bench.tuning import parse_variants
from devkit.ports import free_port
from schema import root
from server import app as server_app
from server import cli
from tuning.execution_plans import PlannedExecutionContext
from tuning.leaf_fields import LeafFieldsExecutionContext
from tuning.shared_event_results import SharedEventResultsExecutionContext

VARIANTS = ("all", "-acyclic_executor", "-statement_count")
PLAIN = "plain"
#: Where a server writes its collections on SIGUSR2 (set by the benchmark for each server).
GC_FILE_ENV = "BENCH_GC_FILE"
SNAPSHOT_SECONDS = 10


# --- in the server's process -------------------------------------------------------------------


def watch_gc(path: Path) -> None:
    """Records every collection (generation, seconds) and writes them all to `path` on SIGUSR2,
    with a sequence number the benchmark waits for."""
    pauses: list[tuple[int, float]] = []
    started = [0.0]
    written = [0]

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append((info["generation"], time.perf_counter() - started[0]))

    def write(signum: int, frame: FrameType | None) -> None:
        written[0] += 1
        text = json.dumps({"sequence": written[0], "pauses": pauses})
        path.with_suffix(".tmp").write_text(text)
        path.with_suffix(".tmp").replace(path)

    gc.callbacks.append(callback)
    signal.signal(signal.SIGUSR2, write)


def _without_acyclic_executor() -> None:
    class CertsExecutionContext(
        PlannedExecutionContext, LeafFieldsExecutionContext, SharedEventResultsExecutionContext
    ):
        __slots__ = ()

    assert hasattr(root, "CertsExecutionContext")
    vars(root)["CertsExecutionContext"] = CertsExecutionContext


#: What a switch enters for the length of its server's process.
_SWITCHED = ExitStack()


def _without_statement_count() -> None:
    """The SQL count by a LogRecord per statement (tuning/statement_count.py off)."""
    assert hasattr(server_app, "count_sql_statements")
    vars(server_app)["count_sql_statements"] = lambda: None
    _SWITCHED.enter_context(sql_counted_by_log_records())


SWITCHES: dict[str, Callable[[], None]] = {
    "all": lambda: None,
    "-acyclic_executor": _without_acyclic_executor,
    "-statement_count": _without_statement_count,
}


def _watch_from_env() -> None:
    raw = os.environ.get(GC_FILE_ENV)
    if raw:
        watch_gc(Path(raw))


def serve(variant: str, argv: Sequence[str]) -> int:
    for part in variant.split("&"):
        SWITCHES[part]()
    _watch_from_env()
    return cli.main(["serve", *argv])


def serve_plain(host: str, port: int) -> int:
    _watch_from_env()
    uvicorn.run(
        "bench.plain_app:app_from_env",
        factory=True,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
    )
    return 0


# --- the measurement, from the benchmark's process ---------------------------------------------


@dataclass
class Watched:
    server: Server
    gc_file: Path
    seen: int = 0

    async def collections(self) -> list[tuple[int, float]]:
        """Every collection of the server so far (asked by SIGUSR2, waited for with a deadline)."""
        os.kill(self.server.pid, signal.SIGUSR2)
        deadline = time.monotonic() + SNAPSHOT_SECONDS
        while time.monotonic() < deadline:
            try:
                data = json.loads(self.gc_file.read_text())
            except (OSError, ValueError):
                data = {"sequence": self.seen}
            if data["sequence"] > self.seen:
                self.seen = data["sequence"]
                return [(int(g), float(s)) for g, s in data["pauses"]]
            await asyncio.sleep(0.02)
        raise TimeoutError(f"{self.server.name}: no garbage-collection report")


@dataclass
class Measured:
    parts: list[LoadResult] = field(default_factory=list)
    pauses: list[tuple[int, float]] = field(default_factory=list)

    @property
    def merged(self) -> LoadResult:
        return LoadResult.merged(self.parts)


@contextmanager
def _server(name: str, env: dict[str, str], folder: Path) -> Iterator[Watched]:
    port = free_port()
    gc_file = folder / f"gc-{port}.json"
    command = ["serve-plain"] if name == PLAIN else ["serve", name]
    argv = [sys.executable, "-m", "bench.http", *command, "--host", HOST, "--port", str(port)]
    with _running(
        f"bench.http {' '.join(command)}", argv, {**env, GC_FILE_ENV: str(gc_file)}, port
    ) as s:
        yield Watched(s, gc_file)


def _request(server: str, port: int, token: str, queue: bool) -> HttpRequest:
    """The tracking request, or the reviewers' queue page of 50, for the plain endpoint or
    GraphQL."""
    if server == PLAIN:
        return get_request(HOST, port, token, "/queue?first=50" if queue else "/tracking")
    if queue:
        return graphql_request(HOST, port, token, QUEUE, {"first": 50})
    return graphql_request(HOST, port, token, TRACKING)


async def measure(args: argparse.Namespace) -> Table:
    label = "PostgreSQL" if args.database == "postgres" else "SQLite"
    async with fresh_database(args.database, args.postgres_url) as url, tortoise(url):
        dataset = await load(url, Sizes(args.companies, args.requests, args.certificates))
        queue = args.page == "queue"
        tokens = [dataset.reviewer_token] if queue else dataset.customer_tokens_shuffled()
        with tempfile.TemporaryDirectory(prefix="certs-bench-http-") as folder:
            env = server_env(url, Path(folder))
            names = [*args.variants, PLAIN]
            with ExitStack() as stack:
                servers = {n: stack.enter_context(_server(n, env, Path(folder))) for n in names}
                requests = {
                    n: [_request(n, w.server.port, t, queue) for t in tokens]
                    for n, w in servers.items()
                }
                results = {n: Measured() for n in names}
                for round_ in range(args.rounds + 1):  # round 0 warms every server up
                    await tokens_used_now()
                    for name, watched in servers.items():
                        before = await watched.collections()
                        part = await run_load(
                            HOST,
                            watched.server.port,
                            requests[name],
                            clients=args.clients,
                            duration=args.seconds if round_ else 1.0,
                            warmup=0.3,
                            max_requests=10**6,
                            cpu_probe=watched.server.cpu_seconds,
                        )
                        after = await watched.collections()
                        if round_:
                            results[name].parts.append(part)
                            results[name].pauses += after[len(before) :]
                            print(f"round {round_} {name}: {part.rps:.0f} req/s", flush=True)
    return _table(label, args, results, len(tokens))


def _table(
    label: str, args: argparse.Namespace, results: dict[str, Measured], companies: int
) -> Table:
    table = Table(
        f"{'Queue page of 50' if args.page == 'queue' else 'Tracking request'} over HTTP "
        f"({label}, 1 worker, {args.clients} clients): each change "
        "off and on, beside plain",
        [
            "server",
            "req/s",
            "p50",
            "p99",
            "p99.9",
            "CPU ms/req",
            "÷ first (median)",
            "plain req/s ÷",
            "p99 ÷ plain",
            "GC young/mid/old per 1k req",
            "GC µs/req",
            "longest GC ms",
        ],
    )
    first = next(iter(results))
    plain = results[PLAIN].merged
    for name, measured in results.items():
        merged = measured.merged
        ratios = [
            part.cpu_ms_per_request / base.cpu_ms_per_request
            for part, base in zip(measured.parts, results[first].parts, strict=True)
        ]
        per_k = 1000 / max(merged.requests, 1)
        counts = "/".join(
            f"{per_k * sum(1 for g, _ in measured.pauses if g == gen):.1f}" for gen in (0, 1, 2)
        )
        gc_seconds = sum(s for _, s in measured.pauses)
        table.add(
            name,
            merged.rps,
            merged.p50,
            merged.p99,
            percentile(merged.latencies, 99.9) * 1000,
            f"{merged.cpu_ms_per_request:.2f}",
            f"{statistics.median(ratios):.3f}",
            f"{merged.rps / plain.rps:.2f}",
            f"{merged.p99 / plain.p99:.2f}",
            counts,
            gc_seconds * 1e6 / max(merged.requests, 1),
            max((s for _, s in measured.pauses), default=0.0) * 1000,
        )
    table.note(
        f"{args.rounds} rounds of {args.seconds:g} s per server (after a warm-up round), the "
        f"servers taking turns; tokens of {companies} companies round-robin; latency in ms; "
        "CPU: user + system of the server's process (/proc); ÷ first: the median over the rounds "
        "of this server's CPU per request over the first's in the same round"
    )
    return table


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["serve"], ["serve-plain"]):
        parser = argparse.ArgumentParser()
        parser.add_argument("--host", default=HOST)
        parser.add_argument("--port", type=int, required=True)
        if argv[0] == "serve-plain":
            options = parser.parse_args(argv[1:])
            return serve_plain(options.host, options.port)
        return serve(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--page", choices=["tracking", "queue"], default="tracking", help="queue: a page of 50"
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parse_variants(parser, argv, VARIANTS, SWITCHES)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        print(runner.run(measure(args)).render(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
