"""`python -m bench.inprocess`: the reviewer queue page in-process, GraphQL beside plain, and each
change of the second and third performance rounds switched off and on in the same run (A/B).

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
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

import orjson
import uvloop
from graphql import GraphQLResolveInfo
from strawberry.schema.schema_converter import GraphQLCoreConverter

from bench.data import Sizes, fresh_database, load, tortoise
from bench.fields import resolved_fields
from bench.operations import QUEUE
from bench.plain_app import queue_page
from bench.report import Table
from domain.clock import SystemClock
from resolvers.context import Context
from resolvers.requests import queries
from schema.root import schema
from server.dependencies import build_dependencies
from server.settings import Settings
from services.auth import authenticate
from tuning.leaf_fields import leaf_fields
from tuning.lean_resolvers import lean_resolvers, restore

BASE_URL = "https://certs.bench.example"


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
def without_lean_resolvers() -> Iterator[None]:
    """Strawberry's own resolver chain for every field (tuning/lean_resolvers.py off)."""
    restore(schema.lean_fields)
    try:
        yield
    finally:
        schema.lean_fields = lean_resolvers(schema)


@contextmanager
def without_leaf_fields() -> Iterator[None]:
    """graphql-core's path, an info per field, for every field (tuning/leaf_fields.py off)."""
    restore(schema.leaf_fields)
    try:
        yield
    finally:
        schema.leaf_fields = leaf_fields(schema)


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


def _json_dumps(data: object) -> str:
    return json.dumps(data, separators=(",", ":"))


def _orjson_dumps(data: object) -> str:
    return orjson.dumps(data).decode()


async def run(args: argparse.Namespace) -> Table:
    async with fresh_database("sqlite") as url, tortoise(url):
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
        third_round_off = (without_leaf_fields, download_url_resolver)
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
                download_url_resolver,
                graphql(_orjson_dumps),
            ),
            ("GraphQL, + downloadUrl filled from the row (now)", as_is, graphql(_orjson_dumps)),
            ("plain", as_is, plain),
        ]
        answer = orjson.loads(await plain())
        for name, setting, call in variants:
            with setting():
                if orjson.loads(await call()) != answer:
                    raise RuntimeError(f"{name} does not answer what the plain queue answers")
        fields = resolved_fields(answer["data"])
        rounds: dict[str, list[float]] = {name: [] for name, _, _ in variants}
        for _ in range(args.rounds):
            for name, setting, call in variants:
                with setting():
                    started = time.process_time()
                    for _ in range(args.calls):
                        await call()
                    rounds[name].append((time.process_time() - started) / args.calls * 1000)
        best = {name: min(values) for name, values in rounds.items()}
        table = Table(
            f"Reviewer queue page of {args.first} in-process (SQLite): CPU per call, A/B",
            [
                "variant",
                "CPU ms/page",
                "µs/field",
                "plain/this CPU",
                "÷ row above, median of rounds",
                "all rounds (ms)",
            ],
        )
        above: str | None = None
        for name, _, _ in variants:
            # Each round's ratio to the variant run just before it: the pair shares that moment's
            # load, so the median of the pairs shows a few % that the fastest rounds can hide.
            paired = ""
            if above is not None:
                pairs = zip(rounds[name], rounds[above], strict=True)
                paired = f"{statistics.median(this / before for this, before in pairs):.3f}"
            table.add(
                name,
                best[name],
                best[name] * 1000 / fields,
                f"{best['plain'] / best[name]:.2f}",
                paired,
                " ".join(f"{v:.1f}" for v in rounds[name]),
            )
            above = name
        table.note(
            f"{fields:,} fields per page; fastest of {args.rounds} rounds of {args.calls} calls, "
            "the variants taking turns"
        )
        return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        print(runner.run(run(args)).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
