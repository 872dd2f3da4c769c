"""`python -m bench` (`make bench`): load realistic data, start the real server, measure, print tables.

The defaults finish in a few minutes on two cores; `--full` runs the issue's sizes
(2,000 subscribers, longer measurements). See `python -m bench --help`.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import uvloop

from bench.data import Dataset, Sizes, fresh_database, load, tortoise
from bench.report import Table
from bench.servers import server_env

BENCHMARKS = ("tracking", "queue", "subscriptions", "outbox")


def _ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas: {text!r}"
        ) from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive numbers: {text!r}")
    return values


def _only(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(BENCHMARKS)}: {text!r}")
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of `certs serve` on realistic data, over loopback.",
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a server where the benchmark may create (and drop) its own database",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--clients", type=_ints, default=[1, 16, 64])
    parser.add_argument("--workers", type=_ints, default=[1, 2])
    parser.add_argument(
        "--duration", type=float, default=3.0, help="seconds measured per cell (after a warm-up)"
    )
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="tracking: GraphQL and plain take turns this many times per cell",
    )
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="cap on measured requests per cell"
    )
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument(
        "--events", type=int, default=7, help="mutations whose fan-out is timed per setup"
    )
    parser.add_argument(
        "--rate", type=float, default=100.0, help="subscriptions: changes per second, steady"
    )
    parser.add_argument(
        "--rate-seconds", type=float, default=2.0, help="subscriptions: how long the rate lasts"
    )
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--only", type=_only, default=list(BENCHMARKS))
    parser.add_argument(
        "--profile",
        nargs="?",
        const="tracking",
        choices=["tracking", "queue"],
        help="instead of the benchmarks: sample the server with py-spy under the load of the "
        "tracking query (the default) or of the reviewer queue page of 50",
    )
    parser.add_argument(
        "--flamegraph",
        type=Path,
        help="with --profile: also write a flame graph (SVG) of a second sampling here",
    )
    parser.add_argument(
        "--full", action="store_true", help="the issue's sizes: 2,000 subscribers, 10 s per cell"
    )
    parser.add_argument("--output", type=Path, help="also write the tables (Markdown) here")
    return parser


@dataclass
class Run:
    args: argparse.Namespace
    tables: list[Table]

    def emit(self, table: Table) -> None:
        self.tables.append(table)
        print("\n" + table.render(), flush=True)


async def bench_database(run: Run, kind: str) -> None:
    args = run.args
    sizes = Sizes(args.companies, args.requests, args.certificates)
    label = "PostgreSQL 15" if kind == "postgres" else "SQLite"
    async with fresh_database(kind, args.postgres_url) as url, tortoise(url):
        started = time.perf_counter()
        dataset: Dataset = await load(url, sizes)
        counts = ", ".join(f"{v:,} {k}" for k, v in dataset.counts.items())
        print(f"\n== {label}: loaded {counts} in {time.perf_counter() - started:.1f} s", flush=True)
        with tempfile.TemporaryDirectory(prefix="certs-bench-data-") as data_dir:
            env = server_env(url, Path(data_dir))
            if args.profile:
                from bench.profile import profile

                for table in await profile(
                    dataset,
                    env,
                    args.duration,
                    label,
                    operation=args.profile,
                    flamegraph=args.flamegraph,
                ):
                    run.emit(table)
                return
            if "tracking" in args.only:
                from bench.tracking import LoadOptions, run_tracking

                options = LoadOptions(
                    args.clients,
                    args.workers,
                    args.duration,
                    args.warmup,
                    args.max_requests,
                    args.rounds,
                )
                for table in await run_tracking(dataset, env, options, label):
                    run.emit(table)
            if "queue" in args.only:
                from bench.queue import queue_statements, queue_throughput

                run.emit(await queue_statements(dataset, label))
                run.emit(
                    await queue_throughput(
                        dataset,
                        env,
                        clients=16,
                        duration=args.duration,
                        warmup=args.warmup,
                        max_requests=args.max_requests,
                        rounds=args.rounds,
                        label=label,
                    )
                )
            if "subscriptions" in args.only:
                from bench.subscriptions import run_subscriptions, run_subscriptions_at_rate

                run.emit(
                    await run_subscriptions(
                        dataset,
                        env,
                        subscribers=args.subscribers,
                        events=args.events,
                        redis_url=args.redis_url,
                        label=label,
                    )
                )
                run.emit(
                    await run_subscriptions_at_rate(
                        dataset,
                        env,
                        subscribers=args.subscribers,
                        rate=args.rate,
                        seconds=args.rate_seconds,
                        skip=2 * (args.events + 1),  # those the fan-out table rejected
                        redis_url=args.redis_url,
                        label=label,
                    )
                )
            if "outbox" in args.only:
                from bench.outbox import run_outbox

                run.emit(await run_outbox(dataset, args.emails, label))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.full:
        args.subscribers = max(args.subscribers, 2000)
        args.duration = max(args.duration, 10.0)
        args.warmup = max(args.warmup, 2.0)
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    run = Run(args, [])
    started = time.perf_counter()
    print(
        f"bench: {', '.join(kinds)}; {args.companies:,} companies, {args.requests:,} requests, "
        f"{args.certificates:,} certificates; clients {args.clients}, workers {args.workers}; "
        f"{args.duration:g} s per cell",
        flush=True,
    )
    for kind in kinds:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(bench_database(run, kind))
    print(f"\nbench: done in {time.perf_counter() - started:.0f} s", flush=True)
    if args.output:
        args.output.write_text("\n".join(t.render() for t in run.tables), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
