"""`python -m bench.inprocess`: the reviewer queue page in-process, GraphQL beside plain, and each
change of the second and third performance rounds switched off and on in the same run (A/B).
`python -m bench.inprocess --page tracking`: the tracking request through each whole ASGI
application (`certs serve`'s and the plain endpoint's: middleware, view, authentication, execution,
encoding; no socket, no HTTP parsing), and each change of the per-request path off and on, on
SQLite or (`--database postgres`) PostgreSQL; the routes under Starlette's own middleware only
bound what our middleware can cost.

No HTTP, no load generator: one process executes the page (schema.execute + the JSON encoding,
as the view does) and the plain endpoint's `queue_page` + orjson, `--calls` times per round, the
variants taking turns for `--rounds` rounds; the figure per variant is its fastest round's CPU per
call (time.process_time, SQLite's thread included), the least disturbed by other load on a shared
host, and the median over the rounds of its ratio to the variant run just before it (each pair
shares that moment's load). What it leaves out (HTTP, authentication, parsing, validation: cached) is the same for
every variant.
"""

import argparse
import asyncio
import itertools
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import orjson
import uvloop
from graphql import GraphQLResolveInfo, parse
from graphql import execute as graphql_execute
from starlette.applications import Starlette
from strawberry.schema.schema_converter import GraphQLCoreConverter

from bench.bare_graphql import create_bare_app
from bench.data import Sizes, fresh_database, load, tortoise
from bench.fields import resolved_fields
from bench.operations import QUEUE, TRACKING
from bench.plain_app import create_plain_app, queue_page
from bench.report import Table
from domain.clock import SystemClock
from resolvers.context import Context
from resolvers.requests import queries
from schema.root import CertsExecutionContext, CertsSchema, schema
from server.app import create_app
from server.dependencies import build_dependencies
from server.logs import count_statement, sql_counter
from server.settings import Settings
from services.auth import authenticate
from tuning.execution_plans import PLAIN_VALUES, PlanCache, swap_plan_cache
from tuning.leaf_fields import leaf_fields
from tuning.lean_resolvers import Replaced, lean_resolvers, restore
from tuning.statement_count import counting_paused

BASE_URL = "https://certs.bench.example"
SQL_LOGGER = "tortoise.db_client"
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
#: The row of everything on but tuning/lean_resolvers.py (÷ the row of everything on).
CHAIN_NOW = "GraphQL, now but Strawberry's resolver chain"
APPLICATION = "GraphQL: certs serve's application"
TRACKING_CHAIN = f"{APPLICATION} but Strawberry's resolver chain"
BARE = "GraphQL floor: graphql-core's execute behind a bare route (bench/bare_graphql.py)"
#: The cheapest document: what any request costs before its fields.
TYPENAME = "query Typename { __typename }"


@contextmanager
def without_page_subtrees() -> Iterator[None]:
    """The page's nodes load their company, documents, history, certificate one field at a time."""
    real = queries.children

    async def none(*args: Any) -> None:
        return None

    queries.children = none  # type: ignore[assignment]
    try:
        yield
    finally:
        queries.children = real


@contextmanager
def _fields_restored(attribute: str, patch: Callable[[CertsSchema], Replaced]) -> Iterator[None]:
    """The schema's fields that a tuning/ patch replaced (kept in `attribute`) given back their
    own resolvers for the block, the patch applied again after it."""
    restore(getattr(schema, attribute))
    try:
        yield
    finally:
        setattr(schema, attribute, patch(schema))


def without_lean_resolvers() -> AbstractContextManager[None]:
    """Strawberry's own resolver chain for every field (tuning/lean_resolvers.py off)."""
    return _fields_restored("lean_fields", lean_resolvers)


#: The plans made with Strawberry's resolver chain, by schema: kept apart across rounds.
_CHAIN_PLANS: dict[int, PlanCache] = {}


def chain_with_plans(target: CertsSchema = schema) -> Callable[[], AbstractContextManager[None]]:
    """Everything on but tuning/lean_resolvers.py: Strawberry's resolver chain for every field of
    `target`, executed from plans of their own (a plan keeps the resolvers it was made with)."""

    @contextmanager
    def setting() -> Iterator[None]:
        cache = _CHAIN_PLANS.setdefault(id(target), PlanCache())
        own = swap_plan_cache(target._schema, cache)
        restore(target.lean_fields)
        try:
            yield
        finally:
            target.lean_fields = lean_resolvers(target)
            swap_plan_cache(target._schema, own)

    return setting


def without_leaf_fields() -> AbstractContextManager[None]:
    """graphql-core's path, an info per field, for every field (tuning/leaf_fields.py off)."""
    return _fields_restored("leaf_fields", leaf_fields)


@contextmanager
def without_execution_plans() -> Iterator[None]:
    """graphql-core's own execution of every query, fields collected per request
    (tuning/execution_plans.py off)."""
    CertsExecutionContext.plans_enabled = False
    try:
        yield
    finally:
        CertsExecutionContext.plans_enabled = True


#: The plans made with some of tuning/execution_plans.py's settings off, by those settings:
#: kept apart from the others across rounds (each made once).
_PLANS_BY_SETTINGS: dict[tuple[str, ...], PlanCache] = {}


@contextmanager
def _plans_with(**settings: Any) -> Iterator[None]:
    """`CertsExecutionContext`'s `settings` for the block, with plans of their own."""
    graphql_schema = schema._schema
    cache = _PLANS_BY_SETTINGS.setdefault(tuple(sorted(settings)), PlanCache())
    own = swap_plan_cache(graphql_schema, cache)
    for name, value in settings.items():
        setattr(CertsExecutionContext, name, value)
    try:
        yield
    finally:
        for name in settings:
            delattr(CertsExecutionContext, name)
        swap_plan_cache(graphql_schema, own)


def without_leaf_shortcuts() -> AbstractContextManager[None]:
    """Every leaf's value coerced by its coercion's call, `is_awaitable` called for every value
    but a leaf's `str`, `int`, `float` or `bool` (tuning/execution_plans.py's leaf shortcuts off,
    as before them)."""
    return _plans_with(
        leaf_shortcuts=False, not_awaitable=frozenset(), leaf_not_awaitable=PLAIN_VALUES
    )


@contextmanager
def download_url_resolver() -> Iterator[None]:
    """`RequestDocument.downloadUrl` through a resolver asking for `Info`, as it was before it was
    filled from the row (called directly, as tuning/lean_resolvers.py called it)."""
    graphql_type = schema._schema.type_map["RequestDocument"]
    field = graphql_type.fields["downloadUrl"]  # type: ignore[attr-defined]
    definition = graphql_type.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    strawberry_field = definition.get_field("download_url")
    info_class = schema.config.info_class
    own = field.resolve

    def resolver(source: Any, info: GraphQLResolveInfo[Any]) -> str:
        context = info_class(_raw_info=info, _field=strawberry_field).context
        return f"{context.public_base_url}/documents/{source.id}"

    field.resolve = resolver
    try:
        yield
    finally:
        field.resolve = own


def together(*settings: Callable[[], AbstractContextManager[None]]) -> Callable[[], Any]:
    """The variant with each of `settings` in force."""

    @contextmanager
    def setting() -> Iterator[None]:
        with ExitStack() as stack:
            for each in settings:
                stack.enter_context(each())
            yield

    return setting


@contextmanager
def as_is() -> Iterator[None]:
    yield


@contextmanager
def sql_uncounted() -> Iterator[None]:
    """Tortoise's statement logger as in the plain endpoint's process, which counts no SQL:
    `certs serve` counts each statement's `debug` call (server/logs.py,
    tuning/statement_count.py); here no call is counted and no handler is there."""
    sql = logging.getLogger(SQL_LOGGER)
    handlers, level, propagate = list(sql.handlers), sql.level, sql.propagate
    for handler in handlers:
        sql.removeHandler(handler)
    sql.setLevel(logging.NOTSET)
    sql.propagate = True
    try:
        with counting_paused(sql):
            yield
    finally:
        for handler in handlers:
            sql.addHandler(handler)
        sql.setLevel(level)
        sql.propagate = propagate


class _RecordCounter(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        count_statement()


@contextmanager
def sql_counted_by_log_records() -> Iterator[None]:
    """`certs serve`'s SQL count before tuning/statement_count.py: Tortoise's logger at DEBUG,
    not propagating, a LogRecord per statement to a handler that counts it."""
    sql = logging.getLogger(SQL_LOGGER)
    handler = _RecordCounter(logging.DEBUG)
    level, propagate = sql.level, sql.propagate
    with counting_paused(sql):
        sql.addHandler(handler)
        sql.setLevel(logging.DEBUG)
        sql.propagate = False
        try:
            yield
        finally:
            sql.removeHandler(handler)
            sql.setLevel(level)
            sql.propagate = propagate


def http_scope(method: str, path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """An HTTP request's ASGI scope as uvicorn builds it."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if body:
        raw.append((b"content-length", str(len(body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def asgi_call(app: Any, scope: dict[str, Any], body: bytes) -> bytes:
    """One request through an ASGI application; its body (a status other than 200 raises)."""
    received = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:  # the application waits for a disconnect only after answering
            await asyncio.Event().wait()
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise RuntimeError(f"status {message['status']}")
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(dict(scope), receive, send)
    return b"".join(chunks)


def _json_dumps(data: object) -> str:
    return json.dumps(data, separators=(",", ":"))


def _orjson_dumps(data: object) -> str:
    return orjson.dumps(data).decode()


async def run(args: argparse.Namespace) -> Table:
    async with fresh_database(args.database) as url, tortoise(url):
        dataset = await load(url, Sizes(args.companies, args.requests, args.certificates))
        clock = SystemClock()
        deps = build_dependencies(Settings(database_url=url), clock)
        principal = await authenticate(dataset.reviewer_token, now=clock.now())
        variables = {"first": args.first}

        def graphql(encode: Callable[[object], str]) -> Callable[[], Awaitable[str | bytes]]:
            async def call() -> str | bytes:
                context = Context(deps=deps, public_base_url=BASE_URL, principal=principal)
                result = await schema.execute(
                    QUEUE, variable_values=variables, context_value=context
                )
                if result.errors:
                    raise RuntimeError(result.errors)
                return encode({"data": result.data})

            return call

        async def plain() -> str | bytes:
            page = await queue_page(
                principal, first=args.first, after=None, public_base_url=BASE_URL, now=clock.now()
            )
            return orjson.dumps(page)

        # Each row adds one change to the row above it; the third round's (issue 18) changes
        # are switched off in the rows before them.
        third_round_off = (without_leaf_fields, download_url_resolver, without_execution_plans)
        variants: Sequence[tuple[str, Callable[[], Any], Callable[[], Awaitable[str | bytes]]]] = [
            (
                "GraphQL, before: no page sub-trees, json.dumps",
                together(without_page_subtrees, *third_round_off),
                graphql(_json_dumps),
            ),
            (
                "GraphQL, + page sub-trees",
                together(*third_round_off),
                graphql(_json_dumps),
            ),
            (
                "GraphQL, + orjson, Strawberry's resolver chain",
                together(without_lean_resolvers, *third_round_off),
                graphql(_orjson_dumps),
            ),
            ("GraphQL, + lean resolvers", together(*third_round_off), graphql(_orjson_dumps)),
            (
                "GraphQL, + leaf fields without an info",
                together(download_url_resolver, without_execution_plans),
                graphql(_orjson_dumps),
            ),
            (
                "GraphQL, + downloadUrl filled from the row",
                without_execution_plans,
                graphql(_orjson_dumps),
            ),
            ("GraphQL, + execution plans", without_leaf_shortcuts, graphql(_orjson_dumps)),
            ("GraphQL, + leaf shortcuts (now)", as_is, graphql(_orjson_dumps)),
        ]
        if args.last:  # only the last rows of GraphQL, and plain: one change's A/B, more rounds
            variants = variants[-args.last :]
        variants = [
            *variants,
            (CHAIN_NOW, chain_with_plans(), graphql(_orjson_dumps)),
            ("plain", as_is, plain),
        ]
        answer = orjson.loads(await plain())
        for name, setting, call in variants:
            with setting():
                if orjson.loads(await call()) != answer:
                    raise RuntimeError(f"{name} does not answer what the plain queue answers")
        fields = resolved_fields(answer["data"])
        rounds = await measure(variants, args.rounds, args.calls)
        best = {name: min(values) for name, values in rounds.items()}
        table = Table(
            f"Reviewer queue page of {args.first} in-process ({DATABASES[args.database]}): "
            "CPU per call, A/B",
            [
                "variant",
                "CPU ms/page",
                "µs/field",
                "plain/this CPU",
                "÷ row above, median of rounds",
                "all rounds (ms)",
            ],
        )
        now = "GraphQL, + leaf shortcuts (now)"
        paired = paired_ratios(
            rounds, [name for name, _, _ in variants], against={CHAIN_NOW: now, "plain": now}
        )
        for name, _, _ in variants:
            table.add(
                name,
                best[name],
                best[name] * 1000 / fields,
                f"{best['plain'] / best[name]:.2f}",
                paired[name],
                " ".join(f"{v:.1f}" for v in rounds[name]),
            )
        table.note(
            f"{fields:,} fields per page; fastest of {args.rounds} rounds of {args.calls} calls, "
            f"the variants taking turns; `{CHAIN_NOW}` and `plain` ÷ the row `{now}`"
        )
        return table


Variant = tuple[str, Callable[[], Any], Callable[[], Awaitable[object]]]


def paired_ratios(
    measured: dict[str, list[float]],
    names: Sequence[str],
    against: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Each variant's median, over the rounds, of its ratio to the variant run just before it
    (or to the one `against` names for it): the pair shares that moment's load, so the median of
    the pairs shows a few % that the fastest rounds can hide. Empty for the first."""
    paired = {names[0]: ""}
    for above, name in itertools.pairwise(names):
        above = (against or {}).get(name, above)
        pairs = zip(measured[name], measured[above], strict=True)
        paired[name] = f"{statistics.median(this / before for this, before in pairs):.3f}"
    return paired


async def measure(variants: Sequence[Variant], rounds: int, calls: int) -> dict[str, list[float]]:
    """CPU ms per call of each variant, per round, the variants taking turns."""
    measured: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    for _ in range(rounds):
        for name, setting, call in variants:
            with setting():
                started = time.process_time()
                for _ in range(calls):
                    await call()
                measured[name].append((time.process_time() - started) / calls * 1000)
    return measured


def graphql_post_scope(token: str | None, body: bytes) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return http_scope("POST", "/graphql", headers, body)


def bench_settings(url: str) -> Settings:
    """An application's settings on the benchmark's database: no background workers, no logs."""
    return Settings(
        database_url=url,
        data_dir=Path(tempfile.mkdtemp(prefix="certs-bench-")),
        outbox_worker=False,
        jobs_scheduler=False,
        public_base_url=BASE_URL,
        log_level="WARNING",
    )


async def run_tracking(args: argparse.Namespace) -> list[Table]:
    async with fresh_database(args.database) as url, tortoise(url):
        dataset = await load(url, Sizes(args.companies, args.requests, args.certificates))
        settings = bench_settings(url)
        graphql_app, plain_app = create_app(settings), create_plain_app(settings)
        bare_app = create_bare_app(settings)
        view = graphql_view(graphql_app)
        # The same routes under Starlette's own middleware only: what ours cost, at most.
        bare = Starlette(routes=graphql_app.routes)
        schema = graphql_app.state.fanout.schema
        deps = graphql_app.state.deps
        tokens = dataset.customer_tokens_shuffled()[:50]
        body = orjson.dumps({"query": TRACKING, "variables": {}})
        graphql_requests = [graphql_post_scope(token, body) for token in tokens]
        plain_requests = [
            http_scope("GET", "/tracking", {"Authorization": f"Bearer {t}"}, b"") for t in tokens
        ]
        clock = SystemClock()
        principals = [await authenticate(token, now=clock.now()) for token in tokens]
        turn = [0]

        def next_company() -> int:
            turn[0] += 1
            return turn[0] % len(tokens)

        async def through_app() -> bytes:
            return await asgi_call(graphql_app, graphql_requests[next_company()], body)

        async def through_starlette() -> bytes:
            return await asgi_call(bare, graphql_requests[next_company()], body)

        async def through_view() -> bytes:
            return await asgi_call(view, graphql_requests[next_company()], body)

        async def through_bare_route() -> bytes:
            return await asgi_call(bare_app, graphql_requests[next_company()], body)

        async def execute(document: str, principal: Any) -> str:
            context = Context(deps=deps, public_base_url=BASE_URL, principal=principal)
            with sql_counter():
                result = await schema.execute(document, context_value=context)
            if result.errors:
                raise RuntimeError(result.errors)
            return _orjson_dumps({"data": result.data})

        async def execute_only() -> str:
            return await execute(TRACKING, principals[next_company()])

        async def plain() -> bytes:
            return await asgi_call(plain_app, plain_requests[next_company()], b"")

        for index in range(len(tokens)):  # the same answers, the document cached, beforehand
            with sql_uncounted():
                expected = orjson.loads(await asgi_call(plain_app, plain_requests[index], b""))
            if (
                orjson.loads(await asgi_call(graphql_app, graphql_requests[index], body))
                != expected
            ):
                raise RuntimeError("the plain tracking does not answer what GraphQL answers")
        variants: list[Variant] = [
            (
                "GraphQL: certs serve's application, without execution plans",
                without_execution_plans,
                through_app,
            ),
            (
                "GraphQL: certs serve's application, SQL counted by log records",
                sql_counted_by_log_records,
                through_app,
            ),
            (APPLICATION, as_is, through_app),
            (TRACKING_CHAIN, chain_with_plans(schema), through_app),
            ("GraphQL: the routes without our middleware", as_is, through_starlette),
            ("GraphQL: the view alone (no middleware)", as_is, through_view),
            ("GraphQL: schema.execute + orjson (principal known)", as_is, execute_only),
            (BARE, as_is, through_bare_route),
            ("plain: its application", sql_uncounted, plain),
        ]
        tracking = _table(
            f"Tracking request in-process ({DATABASES[args.database]}): CPU per request, "
            "GraphQL's layers beside plain",
            "CPU ms/request",
            variants,
            await measure(variants, args.rounds, args.calls),
            note=f"fastest of {args.rounds} rounds of {args.calls} requests, the variants taking "
            f"turns; tokens of {len(tokens)} companies round-robin. Application = middleware + "
            "view (body, authentication, context, persisted queries, log line and metrics, "
            "response) + schema.execute; the routes without our middleware = Starlette's error "
            f"and exception middleware and router + the view; `{TRACKING_CHAIN}`, the routes and the "
            f"view ÷ the application's row; `{BARE}` (bench/bare_graphql.py: authentication, "
            "graphql-core's execute of the cached document, orjson) ÷ the application's row too: "
            "what the layers around execution cost at most",
            against={
                TRACKING_CHAIN: APPLICATION,
                "GraphQL: the routes without our middleware": APPLICATION,
                "GraphQL: the view alone (no middleware)": APPLICATION,
                BARE: APPLICATION,
            },
        )

        typename = orjson.dumps({"query": TYPENAME, "variables": {}})
        anonymous = graphql_post_scope(None, typename)
        document = parse(TYPENAME)

        async def typename_app() -> bytes:
            return await asgi_call(graphql_app, anonymous, typename)

        async def typename_view() -> bytes:
            return await asgi_call(view, anonymous, typename)

        async def typename_schema() -> str:
            return await execute(TYPENAME, None)

        async def typename_graphql_core() -> bytes:
            return orjson.dumps({"data": graphql_execute(schema._schema, document).data})  # type: ignore[union-attr]

        fixed: list[Variant] = [
            ("certs serve's application", as_is, typename_app),
            ("the view alone (no middleware)", as_is, typename_view),
            ("schema.execute (extensions, cached parse and validation)", as_is, typename_schema),
            ("graphql-core's execute of the parsed document", as_is, typename_graphql_core),
        ]
        measured = await measure(fixed, args.rounds, args.calls * 10)
        fixed_table = Table(
            f"The fixed cost of a request: `{TYPENAME}`, anonymous, in-process",
            ["layer", "CPU µs/request", "the layer alone, µs", "all rounds (µs)"],
        )
        below = [min(measured[name]) * 1000 for name, _, _ in fixed]
        for index, (name, _, _) in enumerate(fixed):
            alone = below[index] - (below[index + 1] if index + 1 < len(below) else 0)
            fixed_table.add(
                name,
                below[index],
                alone,
                " ".join(f"{v * 1000:.0f}" for v in measured[name]),
            )
        fixed_table.note(
            f"fastest of {args.rounds} rounds of {args.calls * 10} requests; each layer's figure "
            "includes the layers below it, `alone` is the difference with the next row"
        )
        return [tracking, fixed_table]


def _table(
    title: str,
    unit: str,
    variants: Sequence[Variant],
    measured: dict[str, list[float]],
    note: str,
    against: Mapping[str, str] | None = None,
) -> Table:
    best = {name: min(values) for name, values in measured.items()}
    table = Table(
        title,
        ["variant", unit, "plain/this CPU", "÷ row above, median of rounds", "all rounds (ms)"],
    )
    plain = next(name for name, _, _ in variants if name.startswith("plain"))
    paired = paired_ratios(measured, [name for name, _, _ in variants], against)
    for name, _, _ in variants:
        table.add(
            name,
            best[name],
            f"{best[plain] / best[name]:.2f}",
            paired[name],
            " ".join(f"{v:.2f}" for v in measured[name]),
        )
    table.note(note)
    return table


def graphql_view(app: Any) -> Any:
    """The GraphQL view `create_app` routes /graphql to (CertsGraphQL)."""
    return next(route.app for route in app.routes if getattr(route, "path", "") == "/graphql")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--page", choices=("queue", "tracking"), default="queue")
    parser.add_argument(
        "--database",
        choices=tuple(DATABASES),
        default="sqlite",
        help="the database of the queue page or the tracking request (PostgreSQL at bench.data's "
        "admin URL; the server's CPU is not counted, on either side)",
    )
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--last",
        type=int,
        default=0,
        help="queue page: only the last N GraphQL rows (and plain), e.g. 2 for the last change",
    )
    args = parser.parse_args(argv)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        if args.page == "tracking":
            print("\n\n".join(table.render() for table in runner.run(run_tracking(args))))
        else:
            print(runner.run(run(args)).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
