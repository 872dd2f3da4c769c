"""`python -m bench.instructions`: the instructions a request executes, counted by valgrind's
callgrind, for `certs serve`'s application, the bare graphql-core route (bench/bare_graphql.py) and
the plain endpoint: the tracking request or the reviewer queue's page, in-process.

Why a count: on two shared cores the same run gives CPU times 5-10 % apart from one minute to the
next, more than most changes this benchmark has to judge. An instruction count does not depend on
what else the machine runs: each variant runs in a process of its own under callgrind, with
address-space randomisation off (`setarch -R`) and a fixed hash seed, and only the measured
requests are counted (`--instr-atstart=no`, then `callgrind_control -i on` / `off` around them).
What it does not see: time spent waiting on memory and caches (a count, not a duration), and
PostgreSQL's own server process; SQLite runs in the process and is counted.

With `--simulate-caches`, callgrind also runs its cache and branch-predictor simulation
(`--cache-sim=yes --branch-sim=yes`) and the table adds cache misses and mispredicted branches a
request, each beside plain's. They are a model's (valgrind's caches are shaped after the host's,
its predictor is a simple one), not the CPU's: this VM has no hardware counters. What they show
is whether one side misses more per instruction than the other, which a count of instructions
cannot (docs/performance.md, "Time is not instructions"). It takes 3-4 minutes a page and
database here, against 1.5-3 without. `--keep DIR` keeps callgrind's output file of each variant,
for `callgrind_annotate --sort=D1mr FILE` (which functions the misses, or the instructions, fall in).

How: the data is loaded once, natively, into a fresh database (`bench.data`); then, for each
variant, a child process (this module with `--child`) builds the application on it, answers
`--warmup` requests (caches, execution plans), says READY, answers `--requests` requests while
instrumented, says DONE and exits. The parent divides the count by the requests.
Takes 2-4 minutes: each child imports the server under valgrind.
"""

import argparse
import asyncio
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from starlette.applications import Starlette

from bench.bare_graphql import create_bare_app
from bench.data import Sizes, fresh_database, load, tokens_used_now, tortoise
from bench.fields import resolved_fields
from bench.inprocess import (
    asgi_call,
    bench_settings,
    graphql_post_scope,
    graphql_view,
    http_scope,
)
from bench.operations import QUEUE, TRACKING
from bench.plain_app import as_served, create_plain_app
from bench.report import Table, ratio
from server.app import create_app
from server.settings import Settings

#: From the whole application down to the plain endpoint, each row one layer less than the row
#: above: our middleware, then Starlette's router and error middleware, then Strawberry's view and
#: `schema.execute` with our hooks and extensions (the bare route keeps authentication, execution
#: and orjson).
VARIANTS = ("certs serve", "without our middleware", "the view alone", "bare route", "plain")
#: The queue page the benchmark measures (bench/queue.py's larger size).
QUEUE_PAGE = 50
#: The longest wait for a child's READY (start-up and warm-up under valgrind) or DONE.
WAIT_SECONDS = 900.0


#: The simulation's events, summed into what the table shows (callgrind's names: `I1mr`
#: instruction-cache read misses at the first level, `D1mr`/`D1mw` data read/write misses there,
#: `ILmr`/`DLmr`/`DLmw` the same at the last level, `Bcm`/`Bim` mispredicted conditional and
#: indirect branches).
SIMULATED = {
    "L1 data misses": ("D1mr", "D1mw"),
    "L1 instruction misses": ("I1mr",),
    "last-level misses": ("ILmr", "DLmr", "DLmw"),
    "mispredicted branches": ("Bcm", "Bim"),
}


@dataclass(frozen=True)
class Count:
    variant: str
    requests: int
    #: Every event of callgrind's totals by its name (`Ir`, the instructions, among them).
    events: dict[str, int]

    @property
    def instructions(self) -> int:
        return self.events["Ir"]

    @property
    def per_request(self) -> float:
        return self.instructions / self.requests

    def simulated_per_request(self, name: str) -> float:
        """One of SIMULATED's sums a request; KeyError when the count ran no simulation."""
        return sum(self.events[event] for event in SIMULATED[name]) / self.requests


def callgrind_events(text: str) -> dict[str, int]:
    """The totals of a callgrind output file by event name (its `events:` line, then its
    `totals:` line, else `summary:`; a count without events names is of `Ir` alone)."""
    names_line = re.search(r"^events:\s+(.+)$", text, re.MULTILINE)
    names = names_line.group(1).split() if names_line else ["Ir"]
    for key in ("totals", "summary"):
        found = re.search(rf"^{key}:\s+(\d+(?:\s+\d+)*)\s*$", text, re.MULTILINE)
        if found:
            values = [int(value) for value in found.group(1).split()]
            # callgrind leaves trailing zeros out of a cost line
            return dict(zip(names, values + [0] * (len(names) - len(values)), strict=True))
    raise ValueError("not a callgrind output file: no totals or summary line")


def tool(name: str) -> str:
    """A program's full path; valgrind and callgrind_control come with Debian's valgrind."""
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"bench.instructions needs {name} (Debian: valgrind, util-linux)")
    return path


def valgrind_argv(output: Path, command: Sequence[str], simulate: bool = False) -> list[str]:
    """`command` under callgrind, counting nothing until told, with a fixed address layout; with
    `simulate`, its cache and branch-predictor simulation too."""
    return [
        tool("setarch"),
        "-R",  # no address-space randomisation: the same layout, the same count
        tool("valgrind"),
        "--tool=callgrind",
        *(("--cache-sim=yes", "--branch-sim=yes") if simulate else ()),
        "--instr-atstart=no",
        f"--callgrind-out-file={output}",
        *command,
    ]


def _expect(
    stream: IO[str], word: str, child: subprocess.Popen[str], errors: Path, seconds: float
) -> None:
    """The child's next line is `word`, within `seconds` (valgrind's start-up takes a minute)."""
    ready, _, _ = select.select([stream], [], [], seconds)
    line = stream.readline().strip() if ready else f"nothing in {seconds:g} s"
    if line != word:
        child.kill()
        child.wait()
        said = errors.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the child said {line!r} instead of {word}: {said}")


def count_child(
    command: Sequence[str],
    requests: int,
    variant: str,
    simulate: bool = False,
    keep: Path | None = None,
) -> Count:
    """Runs one child under callgrind and counts what it executes between READY and DONE. Its
    standard error (valgrind's own lines, a traceback) goes to a file: a pipe nobody reads could
    fill up and stop the child. With `keep`, callgrind's output file is copied there, for
    `callgrind_annotate` (which functions the count, or the simulation's misses, fall in)."""
    with tempfile.TemporaryDirectory(prefix="certs-callgrind-") as folder:
        output, errors = Path(folder) / "callgrind.out", Path(folder) / "stderr.txt"
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        with errors.open("w") as stderr:
            child = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                valgrind_argv(output, command, simulate),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env=env,
            )
        assert child.stdin is not None
        assert child.stdout is not None
        try:
            _expect(child.stdout, "READY", child, errors, WAIT_SECONDS)
            _instrumentation(child.pid, "on")
            child.stdin.write("GO\n")
            child.stdin.flush()
            _expect(child.stdout, "DONE", child, errors, WAIT_SECONDS)
            _instrumentation(child.pid, "off")
            child.stdin.write("END\n")
            child.stdin.flush()
            child.wait(timeout=120)
        finally:
            if child.poll() is None:  # an error above: no child outlives the count
                child.kill()
                child.wait()
            child.stdin.close()
            child.stdout.close()
        if child.returncode != 0:
            said = errors.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{variant}: the child failed: {said}")
        text = output.read_text()
        if keep is not None:
            keep.write_text(text)
        events = callgrind_events(text)
        if events["Ir"] == 0:
            raise RuntimeError(f"{variant}: callgrind counted nothing (instrumentation never on)")
        return Count(variant, requests, events)


def _instrumentation(pid: int, state: str) -> None:
    """callgrind_control exits 0 even when it reached no valgrind: its answer must say OK."""
    answer = subprocess.run(  # noqa: S603 - valgrind's own tool, fixed arguments
        [tool("callgrind_control"), "--instr=" + state, str(pid)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if "OK" not in answer.stdout:
        raise RuntimeError(
            f"callgrind_control could not switch instrumentation {state} in {pid}: "
            f"{answer.stdout[-1000:]} {answer.stderr[-1000:]}"
        )


# The child: builds one application, warms it, answers the measured requests on the parent's word.


def _request(page: str, variant: str, token: str) -> tuple[dict[str, Any], bytes]:
    if variant == "plain":
        path, query = (
            ("/tracking", b"") if page == "tracking" else ("/queue", f"first={QUEUE_PAGE}".encode())
        )
        scope = http_scope("GET", path, {"Authorization": f"Bearer {token}"}, b"")
        scope["query_string"] = query
        return scope, b""
    document, variables = (TRACKING, {}) if page == "tracking" else (QUEUE, {"first": QUEUE_PAGE})
    body = orjson.dumps({"query": document, "variables": variables})
    return graphql_post_scope(token, body), body


def _application(variant: str, url: str) -> Any:
    factories: dict[str, Callable[[Settings], Any]] = {
        "certs serve": create_app,
        "without our middleware": lambda settings: Starlette(routes=create_app(settings).routes),
        "the view alone": lambda settings: graphql_view(create_app(settings)),
        "bare route": create_bare_app,
        "plain": create_plain_app,
    }
    return factories[variant](bench_settings(url))


async def _child(args: argparse.Namespace) -> None:
    tokens: list[str] = json.loads(args.tokens)
    requests = [_request(args.page, args.variant, token) for token in tokens]
    async with tortoise(args.url):
        app = as_served(lambda: _application(args.variant, args.url))  # the servers' heap
        turn = 0

        async def answer() -> bytes:
            nonlocal turn
            scope, body = requests[turn % len(requests)]
            turn += 1
            return await asgi_call(app, scope, body)

        for _ in range(args.warmup):
            await answer()
        # Right before the count: no measured request writes its token's last_used_at.
        await tokens_used_now()
        print("READY", flush=True)
        sys.stdin.readline()
        for _ in range(args.requests):
            await answer()
        print("DONE", flush=True)
        sys.stdin.readline()


async def _fields(url: str, page: str, token: str) -> int:
    """The fields the page resolves, from GraphQL's answer (bench/fields.py)."""
    scope, body = _request(page, "certs serve", token)
    async with tortoise(url):
        answer = await asgi_call(_application("certs serve", url), scope, body)
    return resolved_fields(orjson.loads(answer)["data"])


async def run(args: argparse.Namespace) -> Table:
    async with fresh_database(args.database) as url:
        async with tortoise(url):
            dataset = await load(url, Sizes(args.companies, args.requests_in_db, args.certificates))
        tokens = (
            dataset.customer_tokens_shuffled()[:50]
            if args.page == "tracking"
            else [dataset.reviewer_token]
        )
        fields = await _fields(url, args.page, tokens[0])
        counts: list[Count] = []
        for variant in VARIANTS:
            command = [
                sys.executable,
                "-m",
                "bench.instructions",
                "--child",
                "--variant",
                variant,
                "--url",
                url,
                "--page",
                args.page,
                "--tokens",
                json.dumps(tokens),
                "--requests",
                str(args.requests),
                "--warmup",
                str(args.warmup),
            ]
            kept = (
                args.keep / f"{args.page}-{args.database}-{variant.replace(' ', '-')}.callgrind"
                if args.keep
                else None
            )
            count = await asyncio.to_thread(
                count_child, command, args.requests, variant, args.simulate_caches, kept
            )
            print(f"{variant}: {count.per_request / 1e6:.2f} M instructions a request")
            counts.append(count)
    return _table(args, counts, fields)


def _table(args: argparse.Namespace, counts: list[Count], fields: int) -> Table:
    database = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[args.database]
    what = "tracking request" if args.page == "tracking" else f"queue page of {QUEUE_PAGE}"
    table = Table(
        f"Instructions per {what} ({database}, callgrind, in-process)",
        [
            "variant",
            "M instructions/request",
            "plain ÷ this",
            "÷ row above",
            "instructions/field",
        ],
    )
    simulated = list(SIMULATED) if args.simulate_caches else []
    for name in simulated:
        table.columns += [f"k {name}/request", "plain ÷ this"]
    plain = counts[-1]
    above: Count | None = None
    for count in counts:
        cells: list[object] = [
            count.variant,
            f"{count.per_request / 1e6:.2f}",
            f"{plain.per_request / count.per_request:.3f}",
            f"{count.per_request / above.per_request:.3f}" if above else "",
            f"{count.per_request / fields:,.0f}",
        ]
        for name in simulated:
            mine = count.simulated_per_request(name)
            cells += [f"{mine / 1e3:,.1f}", ratio(plain.simulated_per_request(name), mine)]
        table.add(*cells)
        above = count
    table.note(
        f"{args.requests} requests counted after {args.warmup} of warm-up, each variant in a "
        "process of its own under valgrind's callgrind (no address randomisation, "
        f"PYTHONHASHSEED=0); {fields:,} fields a request (bench/fields.py); the application, "
        "not HTTP: no socket, no uvicorn, the same for every variant"
    )
    table.note(
        "counted: this process's instructions, SQLite's included (it runs in the process); "
        "PostgreSQL's server runs in a process of its own and is not counted, so a PostgreSQL "
        "row is not the cheaper one for that"
    )
    table.note(
        "certs serve: its whole application; without our middleware: its routes under "
        "Starlette's own error middleware and router; the view alone: the GraphQL view (Strawberry's "
        "view, our hooks, schema.execute with the extensions); bare route: authentication, "
        "graphql-core's execute of the cached document, orjson (bench/bare_graphql.py); plain: the "
        "hand-written endpoint (bench/plain_app.py)"
    )
    if simulated:
        table.note(
            "misses and mispredicted branches: callgrind's simulation (--cache-sim=yes "
            "--branch-sim=yes; caches shaped after the host's, a simple predictor), not the "
            "CPU's; where plain ÷ this is lower than for the instructions, the variant misses "
            "more per instruction than plain, and its time ratio is worse than its count's"
        )
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--page", choices=("tracking", "queue"), default="tracking")
    parser.add_argument("--requests", type=int, default=20, help="requests counted per variant")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--simulate-caches",
        action="store_true",
        help="also simulate the caches and the branch predictor (misses a request; slower)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="a folder to keep callgrind's output files in, one a variant, for callgrind_annotate",
    )
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--requests-in-db", type=int, default=5000)
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)  # a JSON list
    args = parser.parse_args(argv)
    if args.child:
        import uvloop

        uvloop.run(_child(args))
        return 0
    missing = [
        tool for tool in ("valgrind", "callgrind_control", "setarch") if not shutil.which(tool)
    ]
    if missing:
        print(f"bench.instructions needs {', '.join(missing)} (Debian: valgrind, util-linux)")
        return 2
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    print(asyncio.run(run(args)).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
