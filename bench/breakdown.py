"""`python -m bench.breakdown`: where the memory of one idle subscriber goes, in a real server.

A `certs serve` (one worker, SQLite, `python -m bench.tuning serve VARIANT`, so any variant of
`bench.tuning` can be looked at) runs with `tracemalloc` on (`--frames` frames per traceback) and
dumps its heap when sent SIGUSR1: a tracemalloc snapshot, the number and `sys.getsizeof` of the
objects the garbage collector tracks, per type, its VmRSS, what tracemalloc traces and what
tracemalloc itself uses. The benchmark opens `WARM` reviewers' dashboards (`graphql-transport-ws`,
one subscription each, as `python -m bench.tuning` does), dumps, opens `--subscribers` more, waits,
dumps again; every figure is the difference over the added subscribers:

- **traced**: what Python allocated and still holds (tracemalloc), by traceback (the allocating
  frames, innermost last) and by type;
- **outside the traced heap**: VmRSS minus traced minus tracemalloc's own bookkeeping: pymalloc's
  arenas and pools not full, glibc malloc's own, whatever C code allocates without going through
  Python's allocator. The kernel's socket buffers are not in VmRSS at all.

VmRSS here is inflated by tracemalloc well beyond what `get_tracemalloc_memory` reports (37 KiB
per subscriber where `python -m bench.tuning`, without tracemalloc, measures 19.6): read the
traced figures here and VmRSS from `python -m bench.tuning` (docs/performance.md, "Memory per
idle subscriber").
"""

import argparse
import asyncio
import gc
import json
import os
import signal
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import tuning
from bench.data import Sizes, fresh_database, load, tortoise
from bench.servers import Server, server_env
from bench.subscriptions import Arrivals, Subscriber, _open_all

DUMP_DIR_ENV = "BENCH_HEAP_DUMP_DIR"
WARM = tuning.WARM


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _type_name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def install_dump(directory: Path, frames: int) -> None:
    """In the server's process: tracemalloc on, and a dump of the heap on SIGUSR1."""
    tracemalloc.start(frames)
    dumps = 0

    def dump(signum: int, frame: Any) -> None:
        nonlocal dumps
        dumps += 1
        # First what the dump itself would move: VmRSS and the traced total.
        rss = _rss_kib()
        traced, _ = tracemalloc.get_traced_memory()
        itself = tracemalloc.get_tracemalloc_memory()
        snapshot = tracemalloc.take_snapshot()
        counts: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        for obj in gc.get_objects():
            name = _type_name(type(obj))
            counts[name] += 1
            sizes[name] += sys.getsizeof(obj)
        facts = {
            "rss_kib": rss,
            "traced": traced,
            "tracemalloc_itself": itself,
            "counts": counts,
            "sizes": sizes,
        }
        snapshot.dump(str(directory / f"{dumps}.snapshot"))
        (directory / f"{dumps}.json").write_text(json.dumps(facts))

    signal.signal(signal.SIGUSR1, dump)


def serve(variant: str, argv: Sequence[str]) -> int:
    install_dump(Path(os.environ[DUMP_DIR_ENV]), int(os.environ.get("BENCH_HEAP_FRAMES", "8")))
    return tuning.serve(variant, argv)


async def _dump(server: Server, directory: Path, number: int) -> dict[str, Any]:
    server.process.send_signal(signal.SIGUSR1)
    facts = directory / f"{number}.json"
    deadline = time.monotonic() + 120
    while not facts.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the server did not dump its heap")
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)  # written whole
    loaded: dict[str, Any] = json.loads(facts.read_text())
    return loaded


def _filters() -> list[tracemalloc.Filter]:
    return [tracemalloc.Filter(False, tracemalloc.__file__)]


async def measure(args: argparse.Namespace) -> str:
    sizes = Sizes(args.companies, args.requests, args.certificates)
    async with fresh_database("sqlite") as url:
        async with tortoise(url):
            dataset = await load(url, sizes)
        with tempfile.TemporaryDirectory(prefix="certs-bench-heap-") as data_dir:
            directory = Path(data_dir) / "dumps"
            directory.mkdir()
            env = server_env(
                url,
                Path(data_dir),
                MAX_SOCKETS_PER_TOKEN=str(args.subscribers + WARM),
                **{DUMP_DIR_ENV: str(directory), "BENCH_HEAP_FRAMES": str(args.frames)},
            )
            with tuning.variant_server(args.variant, env, "bench.breakdown") as server:
                arrivals = Arrivals(args.subscribers)
                everyone = [
                    Subscriber(dataset.reviewer_token, server.ws_url)
                    for _ in range(args.subscribers + WARM)
                ]
                try:
                    await _open_all(everyone[:WARM], arrivals)
                    await asyncio.sleep(2.0)
                    before = await _dump(server, directory, 1)
                    await _open_all(everyone[WARM:], arrivals)
                    await asyncio.sleep(3.0)
                    after = await _dump(server, directory, 2)
                finally:
                    await asyncio.gather(*(s.close() for s in everyone), return_exceptions=True)
            first = tracemalloc.Snapshot.load(str(directory / "1.snapshot")).filter_traces(
                _filters()
            )
            second = tracemalloc.Snapshot.load(str(directory / "2.snapshot")).filter_traces(
                _filters()
            )
    return report(args, before, after, first, second)


def report(
    args: argparse.Namespace,
    before: dict[str, Any],
    after: dict[str, Any],
    first: tracemalloc.Snapshot,
    second: tracemalloc.Snapshot,
) -> str:
    n = args.subscribers
    kib = 1024 * n
    rss = (after["rss_kib"] - before["rss_kib"]) / n
    traced = (after["traced"] - before["traced"]) / kib
    itself = (after["tracemalloc_itself"] - before["tracemalloc_itself"]) / kib
    lines = [
        f"variant {args.variant}, {n} subscribers added to {WARM}, {args.frames} frames",
        f"VmRSS per subscriber            {rss:7.2f} KiB",
        f"  tracemalloc's own bookkeeping {itself:7.2f} KiB",
        f"  traced (Python's allocations) {traced:7.2f} KiB",
        f"  outside the traced heap       {rss - itself - traced:7.2f} KiB",
        "",
        "per type (gc-tracked objects; count and sys.getsizeof per subscriber):",
    ]
    counts = Counter(after["counts"])
    counts.subtract(before["counts"])
    sizes = Counter(after["sizes"])
    sizes.subtract(before["sizes"])
    for name, size in sizes.most_common(args.top):
        lines.append(f"  {counts[name] / n:6.2f}  {size / kib:6.3f} KiB  {name}")
    lines.append(
        f"  all gc-tracked: {sum(counts.values()) / n:.1f} objects, "
        f"{sum(sizes.values()) / kib:.2f} KiB"
    )
    for group in args.group_by:
        lines += ["", f"traced, by {group} (KiB per subscriber):"]
        stats = second.compare_to(first, group)
        for stat in stats[: args.top]:
            lines.append(f"  {stat.size_diff / kib:6.3f} KiB  {stat.count_diff / n:6.2f} blocks")
            frames = stat.traceback.format(limit=args.frames, most_recent_first=True)
            lines += ["      " + f.strip() for f in frames if f.strip().startswith("File")]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        return serve(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", default="all")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--frames", type=int, default=6)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--group-by", type=lambda t: t.split(","), default=["lineno", "traceback"])
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--certificates", type=int, default=100)
    args = parser.parse_args(argv)
    print(asyncio.run(measure(args)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
