"""Where the server's time goes under load: py-spy samples the real `certs serve` process (no
instrumentation in the process, so the profile does not distort what it measures) while 16 clients
send the tracking query or the reviewers' queue page of 50; the samples are summed by phase and by
package, and with `--flamegraph FILE` a second sampling of the same load is drawn as an SVG. The plain
endpoint is then sampled under the same load, and the two servers' CPU per request is set side by
side by component: where GraphQL's extra time per request goes, the HTTP layers included."""

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.data import Dataset, tokens_used_now
from bench.fields import resolved_fields
from bench.load import (
    HttpRequest,
    LoadResult,
    fetch_once,
    get_request,
    graphql_request,
    run_load,
)
from bench.operations import QUEUE, TRACKING
from bench.report import Table
from bench.servers import HOST, REPO, Server, certs_serve, plain_serve

PY_SPY = str(Path(sys.executable).with_name("py-spy"))
CLIENTS = 16
RATE = 200

#: Inclusive phases: a sample counts for a phase when any frame of its stack matches.
PHASES: list[tuple[str, tuple[str, ...]]] = [
    ("authentication (token lookup)", ("server/auth.py",)),
    ("GraphQL: parse", ("graphql/language/parser.py", "graphql/language/lexer.py")),
    ("GraphQL: validate (rules, limits)", ("graphql/validation/",)),
    ("GraphQL: execute (resolvers included)", ("graphql/execution/",)),
    (
        "our code: schema types, resolvers, services, domain",
        tuple(f"{REPO}/{folder}/" for folder in ("schema", "resolvers", "services", "domain")),
    ),
    ("ORM: Tortoise + pypika (building queries, rows)", ("tortoise/", "pypika")),
    ("database driver", ("asyncpg/", "aiosqlite/", "sqlite3/")),
    ("JSON: encode the response", ("json/encoder.py", "encode_json")),
    ("JSON: decode the request", ("json/decoder.py", "parse_json", "decode_json")),
    ("Strawberry schema extensions", ("strawberry/extensions/",)),
]

#: Exclusive components: each sample goes to the first component (in this order) that matches
#: the innermost frame, else the next frame out, and so on: a sample in asyncio's task code
#: called by a DataLoader is asyncio's; one in our resolver's own line is ours.
COMPONENTS: list[tuple[str, tuple[str, ...]]] = [
    ("JSON encoding of the answer", ("encode_json", "json/encoder.py", "orjson")),
    ("database driver and its thread", ("asyncpg/", "aiosqlite/", "sqlite3/")),
    ("ORM: Tortoise + pypika (SQL built, rows made)", ("tortoise/", "pypika")),
    ("DataLoader (load, batch dispatch)", ("strawberry/dataloader.py",)),
    (
        "argument conversion (Strawberry's get_arguments, graphql-core's)",
        ("get_arguments (", "get_argument_values", "strawberry/types/arguments.py"),
    ),
    (
        "Strawberry's field wrappers (Info, resolver chain, is_awaitable)",
        (
            "strawberry/schema/schema_converter.py",
            "strawberry/types/field.py",
            "strawberry/types/info.py",
            "strawberry/utils/await_maybe.py",
            "strawberry/execution/is_awaitable.py",
            "build_resolve_info",
            "tuning/lean_resolvers.py",
        ),
    ),
    ("Strawberry schema extensions (hooks)", ("strawberry/extensions/",)),
    ("graphql-core: parse, validate", ("graphql/language/", "graphql/validation/")),
    (
        "graphql-core: executing fields, completing values",
        ("graphql/execution/", "graphql/type/", "graphql/pyutils/", "tuning/leaf_fields.py"),
    ),
    (
        "our code: schema types, resolvers, services, domain",
        tuple(f"{REPO}/{folder}/" for folder in ("schema", "resolvers", "services", "domain")),
    ),
    ("asyncio: tasks, futures, the event loop", ("asyncio/", "uvloop")),
    ("HTTP: Strawberry's view (request, body, response)", ("strawberry/http/", "strawberry/asgi/")),
    ("HTTP: our view and middleware (server/)", (f"{REPO}/server/",)),
    ("HTTP: the plain endpoint's own code", (f"{REPO}/bench/plain_app.py",)),
    ("HTTP: Starlette (routing, request, response)", ("starlette/",)),
    ("HTTP: uvicorn, httptools (parsing, writing)", ("uvicorn/", "httptools")),
    ("logging (log records, handlers)", ("logging/",)),
    ("Strawberry, other", ("strawberry/",)),
]


def component(stack: tuple[str, ...]) -> str:
    for frame in reversed(stack):
        for name, needles in COMPONENTS:
            if any(needle in frame for needle in needles):
                return name
    return "other (stdlib, interpreter)"


def _package(frame: str) -> str:
    """The package of a py-spy frame "function (path)"."""
    path = frame[frame.rfind("(") + 1 : frame.rfind(")")] if "(" in frame else frame
    if "site-packages/" in path:
        return "lib: " + path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    repo = str(REPO) + "/"
    if path.startswith(repo):
        return "certs: " + path[len(repo) :].split("/", 1)[0]
    if "/lib/python3" in path:
        rest = path.split("/lib/python3", 1)[1].split("/", 1)[-1]
        return "stdlib: " + rest.split("/", 1)[0].removesuffix(".py")
    return "other: " + path


def _short(frame: str) -> str:
    """ "function (path)" with the path relative to the checkout or to site-packages."""
    function, _, path = frame.partition(" (")
    path = path.rstrip(")").replace(str(REPO) + "/", "")
    for marker in ("site-packages/", "/lib/python3.11/"):
        path = path.split(marker, 1)[-1]
    return f"{function} ({path})"


#: The main thread's name in py-spy's `--threads` output (its first frame: "thread (id): name").
MAIN_THREAD = "MainThread"


def parse_stacks(raw: str, thread: str | None = None) -> Counter[tuple[str, ...]]:
    """py-spy's raw output: one "frame;frame;… count" line per distinct stack; with `thread`,
    only that thread's stacks (sampled with `--threads`: the first frame names the thread)."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in raw.splitlines():
        frames, _, count = line.rpartition(" ")
        if not frames or not count.isdigit():
            continue
        stack = tuple(frames.split(";"))
        if stack[0].startswith("thread ("):
            name = stack[0].partition("): ")[2]
            stack = stack[1:]
            if thread is not None and name != thread:
                continue
        stacks[stack] += int(count)
    return stacks


def component_samples(stacks: Counter[tuple[str, ...]]) -> Counter[str]:
    shares: Counter[str] = Counter()
    for stack, n in stacks.items():
        shares[component(stack)] += n
    return shares


def difference(label: str, what: str, graphql: "Sampled", plain: "Sampled") -> Table:
    """CPU per request by component, GraphQL beside plain: each component's share of the main
    thread's samples times the main thread's CPU per request while sampled; the other threads
    (SQLite's driver) from /proc. py-spy counts a thread waiting for the GIL as busy, so their
    samples would give the driver's thread the time it spends waiting for the event loop."""
    per_request: list[dict[str, float]] = []
    for sampled in (graphql, plain):
        samples = component_samples(parse_stacks(sampled.raw, MAIN_THREAD))
        total = sum(samples.values()) or 1
        cpu_ms = sampled.main_thread_ms
        per_request.append({name: n / total * cpu_ms for name, n in samples.items()})
        per_request[-1][OTHER_THREADS] = sampled.other_threads_ms
    g, p = per_request
    table = Table(
        f"Profile of {what} ({label}): CPU ms per request by component, GraphQL beside plain",
        ["component", "GraphQL", "plain", "difference", "share of the difference"],
    )
    totals = [s.main_thread_ms + s.other_threads_ms for s in (graphql, plain)]
    gap = totals[0] - totals[1]
    for name in sorted(g.keys() | p.keys(), key=lambda n: p.get(n, 0.0) - g.get(n, 0.0)):
        extra = g.get(name, 0.0) - p.get(name, 0.0)
        share = f"{100 * extra / gap:.0f} %" if gap > 0 else "—"
        table.add(
            name, f"{g.get(name, 0.0):.3f}", f"{p.get(name, 0.0):.3f}", f"{extra:+.3f}", share
        )
    table.add(
        "**all (CPU per request while sampled, /proc)**",
        f"{totals[0]:.3f}",
        f"{totals[1]:.3f}",
        f"{gap:+.3f}",
        "100 %",
    )
    table.note(
        "the same load (clients, requests of the same companies) on each server, one after the "
        "other; the main thread's samples given to one component each as in the exclusive table "
        "above, times its CPU per request; the other threads' CPU from /proc"
    )
    for name, sampled in (("GraphQL", graphql), ("plain", plain)):
        table.note(
            f"{name} while sampled: {sampled.load.rps:,.0f} req/s, p50 {sampled.load.p50:.1f} "
            f"ms, p99 {sampled.load.p99:.1f} ms"
        )
    return table


def summarise(
    raw: str,
    label: str,
    what: str = "the tracking query",
    cpu_ms_per_request: float | None = None,
    fields: int | None = None,
) -> list[Table]:
    stacks = parse_stacks(raw)
    total = sum(stacks.values()) or 1
    phases = Table(
        f"Profile of {what} ({label}, 1 worker, {CLIENTS} clients): time by phase",
        ["phase (inclusive)", "share of samples"],
    )
    for name, needles in PHASES:
        hits = sum(n for stack, n in stacks.items() if any(x in f for f in stack for x in needles))
        phases.add(name, f"{100 * hits / total:.1f} %")
    packages: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    for stack, n in stacks.items():
        packages[_package(stack[-1])] += n
        functions[_short(stack[-1])] += n
    by_package = Table(
        f"Profile ({label}): where the innermost frame is (self time by package)",
        ["package", "share of samples"],
    )
    for name, n in packages.most_common(14):
        by_package.add(name, f"{100 * n / total:.1f} %")
    top = Table(f"Profile ({label}): top functions by self time", ["function", "share"])
    for name, n in functions.most_common(15):
        top.add(name[:110], f"{100 * n / total:.1f} %")
    phases.note(f"{total:,} samples at {RATE} Hz by py-spy (non-idle threads)")
    per_field = cpu_ms_per_request is not None and fields
    components = Table(
        f"Profile ({label}): by component (exclusive: each sample counted once)",
        ["component", "share of samples", *(["µs per field"] if per_field else [])],
    )
    shares = component_samples(stacks)
    for name, n in shares.most_common():
        share = n / total
        extra = [share * (cpu_ms_per_request or 0.0) * 1000 / (fields or 1)] if per_field else []
        components.add(name, f"{100 * share:.1f} %", *extra)
    if per_field:
        components.note(
            f"µs per field: the share times the server's CPU per request while sampled "
            f"({cpu_ms_per_request:.1f} ms) over the {fields:,} fields of an answer"
        )
    return [phases, components, by_package, top]


def _py_spy() -> str:
    if Path(PY_SPY).exists():
        return PY_SPY
    found = shutil.which("py-spy")
    if found is None:
        raise SystemExit("py-spy is not installed: pip install -e '.[bench]'")
    return found


async def _sample(
    spy: str, pid: int, seconds: int, output: Path, fmt: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--rate",
        str(RATE),
        "--format",
        fmt,
        *(("--full-filenames", "--threads") if fmt == "raw" else ()),
        "--nolineno",
        "--output",
        str(output),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


#: The row of `difference` for the threads other than the event loop's.
OTHER_THREADS = "other threads: SQLite's driver, the default executor (CPU from /proc)"


@dataclass
class Sampled:
    load: LoadResult
    #: py-spy's raw output, with thread ids.
    raw: str
    #: CPU ms per request of the main thread (the event loop) and of the other threads.
    main_thread_ms: float
    other_threads_ms: float


async def _sampled(
    spy: str, server: Server, requests: list[HttpRequest], seconds: int, output: Path, fmt: str
) -> Sampled:
    """The load on `server` while py-spy samples it into `output` (in `fmt`)."""
    threads_before = server.thread_cpu_seconds()
    spy_process = await _sample(spy, server.pid, seconds, output, fmt)
    result = await run_load(
        HOST,
        server.port,
        requests,
        clients=CLIENTS,
        duration=seconds + 1,
        warmup=0,
        max_requests=10**6,
        cpu_probe=server.cpu_seconds,
    )
    _, err = await asyncio.wait_for(spy_process.communicate(), timeout=seconds + 30)
    if spy_process.returncode != 0 or not output.exists():  # noqa: ASYNC240 - once, local
        raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-2000:]}")
    main, other = (
        (after - before) * 1000 / max(result.requests, 1)
        for after, before in zip(server.thread_cpu_seconds(), threads_before, strict=True)
    )
    return Sampled(result, output.read_text() if fmt == "raw" else "", main, other)  # noqa: ASYNC240 - once, local


async def _warm(server: Server, requests: list[HttpRequest]) -> None:
    await run_load(
        HOST, server.port, requests, clients=CLIENTS, duration=1, warmup=0, max_requests=10**6
    )


async def profile(
    dataset: Dataset,
    env: dict[str, str],
    duration: float,
    label: str,
    *,
    operation: str = "tracking",
    flamegraph: Path | None = None,
) -> list[Table]:
    """`operation` is "tracking" (the companies' tokens in turn) or "queue" (a page of 50). The
    plain endpoint is then sampled under the same load, for the difference by component."""
    spy = _py_spy()
    seconds = max(int(duration), 5)
    what = "the tracking query" if operation == "tracking" else "the reviewer queue page of 50"
    if operation == "tracking":
        tokens = dataset.customer_tokens_shuffled()
    else:
        tokens = [dataset.reviewer_token]
    with tempfile.TemporaryDirectory() as folder:
        with certs_serve(env, 1) as server:
            if operation == "tracking":
                requests = [graphql_request(HOST, server.port, t, TRACKING) for t in tokens]
            else:
                requests = [graphql_request(HOST, server.port, tokens[0], QUEUE, {"first": 50})]
            await _warm(server, requests)
            status, body = await fetch_once(HOST, server.port, requests[0])
            fields = resolved_fields(orjson.loads(body)["data"]) if status == 200 else None
            tables: list[Table] = []
            raw_path = Path(folder) / "profile.txt"
            await tokens_used_now()  # no token's last_used_at written while sampled
            graphql_sampled = await _sampled(spy, server, requests, seconds, raw_path, "raw")
            result = graphql_sampled.load
            tables = summarise(graphql_sampled.raw, label, what, result.cpu_ms_per_request, fields)
            tables[0].note(
                f"load while sampling: {result.rps:,.0f} req/s, p50 {result.p50:.1f} ms, "
                f"p99 {result.p99:.1f} ms (sampling pauses the process: slower than unprofiled)"
            )
            if flamegraph is not None:
                await _sampled(spy, server, requests, seconds, flamegraph, "flamegraph")
                tables[0].note(f"flame graph of a second sampling of the same load: {flamegraph}")
        with plain_serve(env, 1) as plain:
            path = "/tracking" if operation == "tracking" else "/queue?first=50"
            plain_requests = [get_request(HOST, plain.port, t, path) for t in tokens]
            await _warm(plain, plain_requests)
            plain_path = Path(folder) / "plain.txt"
            await tokens_used_now()
            plain_sampled = await _sampled(spy, plain, plain_requests, seconds, plain_path, "raw")
        tables.append(difference(label, what, graphql_sampled, plain_sampled))
        return tables
