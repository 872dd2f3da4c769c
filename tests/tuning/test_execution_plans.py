"""Queries executed from plans kept across requests answer what graphql-core's own executor answers:
the same data and the same errors (message, path, locations), for random documents against the real
schema and database, for a plan reused with other variables, for nulls and exceptions, and with the
same SQL statements (docs/performance.md: what changed, each measured alone)."""

import asyncio
import base64
import enum
import functools
import gc
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import hypothesis_graphql
import pytest
import strawberry
from graphql import ArgumentNode as Argument
from graphql import (
    DirectiveNode,
    FieldNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    VariableDefinitionNode,
    VariableNode,
    get_introspection_query,
    parse,
    print_ast,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from bench import operations as bench_operations
from devkit.sqlcount import sql_statements
from domain.calendar import local_date
from resolvers.context import Context
from schema.document_cache import BoundedCache, CachedParseAndValidate
from schema.root import CertsExecutionContext, CertsSchema, build_schema
from services.dependencies import Dependencies
from tests.support import operations
from tests.support.awaitables import Later
from tests.support.factories import Caller
from tests.support.flows import submit, three_requests
from tests.support.graphql import GraphQLClient, data_of
from tuning.execution_plans import PlanCache, PlannedExecutionContext, plan_cache
from tuning.leaf_fields import leaf_fields

T = TypeVar("T")
BASE_URL = "https://certs.test"
STEP_TIMEOUT_SECONDS = 30
#: A masked bug's error id differs from one execution to the next.
ERROR_ID = re.compile(r"Código de seguimiento: [0-9a-f]+")

QUEUE = """
query Queue($first: Int, $withDocuments: Boolean!, $plain: Boolean!) {
  certificateRequests(first: $first) {
    totalCount
    edges { node { id status company { nit legalName } submittedAt
                   documents @include(if: $withDocuments) { id fileName downloadUrl }
                   history @skip(if: $plain) { toStatus }
                   certificate { serialNumber } } }
  }
}
"""


def twins() -> tuple[CertsSchema, CertsSchema]:
    """The real schema twice: with the plans, and with graphql-core's own executor."""
    planned, plain = build_schema(), build_schema()
    plain.execution_context_class = StrawberryGraphQLCoreExecutionContext
    return planned, plain


PLANNED, PLAIN = twins()


def answer(result: Any) -> tuple[Any, list[Any]]:
    errors = [
        (
            ERROR_ID.sub("Código de seguimiento: …", error.message),
            error.path,
            error.locations,
            (error.extensions or {}).get("code"),
        )
        for error in result.errors or []
    ]
    return result.data, errors


async def execute(
    schema: strawberry.Schema, deps: Dependencies, caller: Caller | None, document: str, **kw: Any
) -> tuple[Any, list[Any]]:
    context = Context(
        deps=deps, public_base_url=BASE_URL, principal=caller.principal if caller else None
    )
    return answer(await schema.execute(document, context_value=context, **kw))


class LoopBridge:
    """Runs a coroutine on the test's event loop from Hypothesis' thread, and waits for it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        async def wrapped() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(
            timeout=STEP_TIMEOUT_SECONDS
        )


def conditioned(
    document: str, choices: list[int], values: list[bool]
) -> tuple[str, dict[str, Any]]:
    """`document` with @skip or @include (by `choices`: 0 none, 1 skip, 2 include) on its fields,
    each reading a variable of its own, and the variables' values."""
    parsed = parse(document)
    operation = parsed.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    definitions = list(operation.variable_definitions or ())
    variables: dict[str, Any] = {}
    turn = iter(range(len(choices)))

    def annotated(node: Any) -> Any:
        """`node` (graphql-core's nodes are frozen) with its selections annotated."""
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            selections = tuple(annotated(selection) for selection in selection_set.selections)
            node = replace(node, selection_set=replace(selection_set, selections=selections))
        index = next(turn, None)
        if not isinstance(node, FieldNode) or index is None or choices[index] == 0:
            return node
        name = f"c{index}"
        directive = DirectiveNode(
            name=NameNode(value="skip" if choices[index] == 1 else "include"),
            arguments=(
                Argument(name=NameNode(value="if"), value=VariableNode(name=NameNode(value=name))),
            ),
        )
        definitions.append(
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=name)),
                type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="Boolean"))),
                directives=(),
            )
        )
        variables[name] = values[index % len(values)]
        return replace(node, directives=(*(node.directives or ()), directive))

    operation = annotated(operation)
    operation = replace(operation, variable_definitions=tuple(definitions))
    return print_ast(replace(parsed, definitions=(operation, *parsed.definitions[1:]))), variables


@pytest.fixture
async def seeded(gql: GraphQLClient, reviewer: Caller, customer: Caller, clock: Any) -> list[str]:
    """Four companies' requests in every status (one the customer's); the ids of the requests,
    their companies and documents."""
    await three_requests(gql, reviewer, clock)
    issued_on = local_date(clock.now()) - timedelta(days=3)
    assert (await submit(gql, customer.token, issued_on=issued_on))["errors"] == []
    body = await gql.execute(
        "{ certificateRequests(first: 10) { edges { node { id company { id } "
        "documents { id } } } } }",
        token=reviewer.token,
    )
    ids = []
    for edge in data_of(body)["certificateRequests"]["edges"]:
        node = edge["node"]
        ids += [node["id"], node["company"]["id"], *(d["id"] for d in node["documents"])]
    return ids


async def test_random_documents_answer_what_graphql_core_answers(
    seeded: list[str], deps: Dependencies, reviewer: Caller, customer: Caller, admin: Caller
) -> None:
    bridge = LoopBridge(asyncio.get_running_loop())
    callers = [None, customer, reviewer, admin]
    real = st.sampled_from(seeded)
    ids = st.one_of(real, real, real, real, st.text(max_size=12))
    scalars = {
        "ID": ids.map(nodes.String),
        "Date": st.dates(date(2025, 1, 1), date(2028, 1, 1)).map(str).map(nodes.String),
        "DateTime": st.datetimes(datetime(2025, 1, 1), datetime(2028, 1, 1))
        .map(lambda moment: moment.isoformat() + "Z")
        .map(nodes.String),
        "JSON": st.just(nodes.String("{}")),
        "Upload": st.just(nodes.String("x")),
    }
    # One root field per document, mostly: a non-null root field's error nulls the whole answer.
    root_fields = sorted(PLAIN._schema.query_type.fields)  # type: ignore[union-attr]
    documents = st.one_of(
        *(
            hypothesis_graphql.queries(
                PLAIN._schema, fields=["node"], custom_scalars=scalars, allow_x00=False
            )
            for _ in range(4)
        ),
        *(
            hypothesis_graphql.queries(
                PLAIN._schema, fields=[name], custom_scalars=scalars, allow_x00=False
            )
            for name in root_fields
        ),
        hypothesis_graphql.queries(PLAIN._schema, custom_scalars=scalars, allow_x00=False),
    )

    @settings(max_examples=60)
    @given(
        document=documents,
        caller=st.sampled_from(callers),
        choices=st.lists(st.sampled_from([0, 0, 0, 1, 2]), max_size=12),
        values=st.lists(st.booleans(), min_size=2, max_size=12),
    )
    def check(document: str, caller: Caller | None, choices: list[int], values: list[bool]) -> None:
        text, variables = conditioned(document, choices, values)
        flipped = {name: not value for name, value in variables.items()}
        for these in (variables, flipped, variables):
            expected = bridge.run(
                functools.partial(execute, PLAIN, deps, caller, text, variable_values=these)
            )
            for _ in range(2):  # a plan made, then reused
                planned = bridge.run(
                    functools.partial(execute, PLANNED, deps, caller, text, variable_values=these)
                )
                assert planned == expected, text

    await asyncio.to_thread(check)


FRONT_END = [
    operations.TRACKING,
    operations.REQUESTS,
    operations.NODE,
    operations.VIEWER,
    bench_operations.QUEUE,
    bench_operations.TRACKING,
]


async def test_the_front_ends_documents_answer_what_graphql_core_answers(
    seeded: list[str], deps: Dependencies, reviewer: Caller, customer: Caller, admin: Caller
) -> None:
    """The documents a front end sends, with drawn variables and @skip/@include: deep answers
    (lists, loaders, abstract types), each plan made once and reused."""
    bridge = LoopBridge(asyncio.get_running_loop())
    real = st.sampled_from(seeded)
    companies = st.sampled_from([i for i in seeded if base64.b64decode(i).startswith(b"Company:")])
    variables = st.fixed_dictionaries(
        {},
        optional={
            "companyId": st.one_of(companies, real, st.none(), st.text(max_size=4)),
            "first": st.one_of(st.integers(-1, 12), st.none()),
            "after": st.one_of(st.none(), st.text(max_size=4)),
            "status": st.sampled_from([None, "IN_REVIEW", "REJECTED", "COMPLETED"]),
            "id": st.one_of(real, st.text(max_size=4)),
        },
    )

    @settings(max_examples=60)
    @given(
        document=st.sampled_from(FRONT_END),
        caller=st.sampled_from([None, customer, reviewer, admin]),
        given_variables=variables,
        choices=st.lists(st.sampled_from([0, 0, 1, 2]), max_size=30),
        values=st.lists(st.booleans(), min_size=2, max_size=30),
    )
    def check(
        document: str,
        caller: Caller | None,
        given_variables: dict[str, Any],
        choices: list[int],
        values: list[bool],
    ) -> None:
        text, conditions = conditioned(document, choices, values)
        these = {**given_variables, **conditions}
        expected = bridge.run(
            functools.partial(execute, PLAIN, deps, caller, text, variable_values=these)
        )
        for _ in range(2):
            planned = bridge.run(
                lambda: execute(PLANNED, deps, caller, text, variable_values=these)
            )
            assert planned == expected, (text, these)

    await asyncio.to_thread(check)


async def test_a_plan_is_reused_with_other_variables_and_kept_per_skip_and_include(
    seeded: list[str], deps: Dependencies, reviewer: Caller
) -> None:
    cache = plan_cache(PLANNED._schema)
    cache.entries.clear()
    cache.conditions.clear()
    answers = {}
    for first in (1, 3):
        for with_documents in (True, False):
            for plain in (True, False):
                variables = {"first": first, "withDocuments": with_documents, "plain": plain}
                planned = await execute(PLANNED, deps, reviewer, QUEUE, variable_values=variables)
                expected = await execute(PLAIN, deps, reviewer, QUEUE, variable_values=variables)
                assert planned == expected
                assert planned[1] == []
                answers[first, with_documents, plain] = planned[0]
    assert len(cache) == 4  # one per @skip/@include values, whatever `first` is
    nodes_ = answers[3, True, False]["certificateRequests"]["edges"]
    assert len(nodes_) == 3
    assert all(len(edge["node"]["documents"]) == 3 for edge in nodes_)
    assert all("history" in edge["node"] for edge in nodes_)
    bare = answers[3, False, True]["certificateRequests"]["edges"]
    assert all("documents" not in e["node"] and "history" not in e["node"] for e in bare)
    assert len(answers[1, True, True]["certificateRequests"]["edges"]) == 1


async def test_the_queue_runs_the_same_sql_statements_with_the_plans(
    seeded: list[str], deps: Dependencies, reviewer: Caller
) -> None:
    variables = {"first": 3, "withDocuments": True, "plain": False}
    counts = []
    for schema in (PLAIN, PLANNED, PLANNED):
        with sql_statements() as statements:
            await execute(schema, deps, reviewer, QUEUE, variable_values=variables)
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2]


# A small schema for what the real one cannot be made to do: nulls in non-null fields, resolvers
# raising, awaitable values and list items, abstract types.


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Inner(Named):
    label: str | None


@strawberry.type
class Item(Named):
    colour: Colour
    missing: str
    maybe: str | None

    @strawberry.field
    def inner(self) -> Inner:
        return Inner(name=f"inner {self.name}", label=None)

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError(f"roto {self.name}")

    @strawberry.field
    def required_broken(self) -> str:
        raise ValueError(f"muy roto {self.name}")

    @strawberry.field
    async def later(self, suffix: str = "!") -> str:
        await asyncio.sleep(0)
        return self.name + suffix

    @strawberry.field
    def tags(self) -> list[str | None]:
        return [Later("x"), Later(ValueError("no tag")), None]  # type: ignore[list-item]

    @strawberry.field
    def strict_tags(self) -> list[str]:
        return ["x", None]  # type: ignore[list-item]


def two_items() -> list[Item]:
    """The second item has no value for its non-null field `missing`."""
    return [
        Item(name="a", colour=Colour.RED, missing="here", maybe=None),
        Item(name="b", colour=Colour.BLUE, missing=None, maybe="b"),  # type: ignore[arg-type]
    ]


class Text(str):
    """A `str` of another type: coerced as graphql-core coerces it, not passed through."""


@strawberry.type
class Leaves:
    """Leaf values of the types the plans answer without a coercion's call (`str`, `bool`, an
    enum's member), and of others for the same fields, which take the coercion."""

    text: str
    flag: bool
    ident: strawberry.ID
    colour: Colour
    optional_colour: Colour | None
    when: datetime
    day: date


def leaves() -> list[Leaves]:
    return [
        Leaves(
            text="texto",
            flag=True,
            ident=strawberry.ID("id-1"),
            colour=Colour.BLUE,
            optional_colour=None,
            when=datetime(2026, 12, 1, 15, 30),
            day=date(2026, 12, 1),
        ),
        Leaves(
            text=7,  # type: ignore[arg-type]
            flag=0,  # type: ignore[arg-type]
            ident=8,  # type: ignore[arg-type]
            colour="red",  # type: ignore[arg-type]
            optional_colour=Colour.RED,
            when=datetime(2026, 12, 2, 9, 0),
            day=date(2026, 12, 2),
        ),
        Leaves(
            text=Text("subclase"),
            flag=False,
            ident=strawberry.ID("id-3"),
            colour="violeta",  # type: ignore[arg-type]  # no such value: the field's error
            optional_colour="green",  # type: ignore[arg-type]
            when=datetime(2026, 12, 3),
            day=date(2026, 12, 3),
        ),
    ]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return two_items()

    @strawberry.field
    def leaves(self) -> list[Leaves | None]:
        return leaves()  # type: ignore[return-value]

    @strawberry.field
    def optional_items(self) -> list[Item | None] | None:
        return two_items()  # type: ignore[return-value]

    @strawberry.field
    def named(self) -> list[Named]:
        return [
            Item(name="c", colour=Colour.RED, missing="m", maybe=None),
            Inner(name="d", label="l"),
        ]

    @strawberry.field
    def wrong(self) -> Item | None:
        """Not an Item: refused by `is_type_of`."""
        return "an Item?"  # type: ignore[return-value]

    @strawberry.field
    async def slow(self) -> Inner | None:
        await asyncio.sleep(0)
        return Inner(name="slow", label="s")


SMALL_DOCUMENTS = [
    "{ items { name colour maybe missing } }",
    "{ optionalItems { name missing } }",
    "{ optionalItems { name broken requiredBroken } }",
    "{ optionalItems { name strictTags } }",
    '{ items { name tags broken later(suffix: "?") inner { name label } } }',
    "query($s: String!) { items { later(suffix: $s) a: later } slow { label } }",
    "{ named { __typename name ... on Item { colour inner { label } } ... on Inner { label } } }",
    "{ slow { ...F } named { ...F } } fragment F on Named { name ... on Inner { label } }",
    "{ __typename optionalItems { __typename name } }",
    "{ wrong { name } items { name } }",
    "{ leaves { text flag ident colour optionalColour when day } }",
]


def parse_cache() -> Callable[[], CachedParseAndValidate]:
    """The project's parse and validation caches (schema/document_cache.py), for one schema."""
    parsed: BoundedCache[Any] = BoundedCache(max_entries=64, max_bytes=1 << 16)
    validated: BoundedCache[Any] = BoundedCache(max_entries=64, max_bytes=1 << 16)
    return lambda: CachedParseAndValidate(parsed=parsed, validated=validated, suggestions=True)


def small_schemas(*extensions: Any) -> tuple[strawberry.Schema, strawberry.Schema]:
    """The small schema with the plans and with graphql-core's executor, each with a parse cache
    (a plan is kept per parsed document: without one, every request parses a new one)."""
    planned = strawberry.Schema(
        query=Query,
        execution_context_class=CertsExecutionContext,
        extensions=[parse_cache(), *extensions],
    )
    plain = strawberry.Schema(query=Query, extensions=[parse_cache(), *extensions])
    leaf_fields(planned)
    return planned, plain


@pytest.mark.parametrize("document", SMALL_DOCUMENTS)
async def test_nulls_exceptions_awaitables_and_abstract_types_answer_as_graphql_core(
    document: str,
) -> None:
    planned, plain = small_schemas()
    expected = answer(await plain.execute(document, variable_values={"s": "¿"}))
    for _ in range(2):
        assert answer(await planned.execute(document, variable_values={"s": "¿"})) == expected
    assert len(plan_cache(planned._schema)) == 1


async def test_the_introspection_query_answers_as_graphql_core() -> None:
    """GraphiQL's introspection: meta fields, lists of abstract types' possible types, arguments
    with default values, each object's `__typename`."""
    planned, plain = small_schemas()
    query = get_introspection_query(descriptions=True)
    for first, second in ((planned, plain), (PLANNED, PLAIN)):
        expected = answer(await second.execute(query))
        assert expected[1] == []
        assert answer(await first.execute(query)) == expected
        assert answer(await first.execute(query)) == expected


async def test_a_null_in_a_non_null_field_nulls_its_parent_and_a_raising_resolver_its_field() -> (
    None
):
    planned, _ = small_schemas()
    data, errors = answer(await planned.execute("{ optionalItems { name missing broken } }"))
    assert data == {"optionalItems": [{"name": "a", "missing": "here", "broken": None}, None]}
    assert [(message, path) for message, path, _, _ in errors] == [
        ("roto a", ["optionalItems", 0, "broken"]),
        (
            "Cannot return null for non-nullable field Item.missing.",
            ["optionalItems", 1, "missing"],
        ),
    ]
    data, errors = answer(await planned.execute("{ items { name missing } }"))
    assert data is None  # items and its items are non-null: up to the root
    assert [path for _, path, _, _ in errors] == [["items", 1, "missing"]]


async def test_the_cache_keeps_a_bounded_number_of_plans() -> None:
    planned, _ = small_schemas()
    cache = plan_cache(planned._schema)
    cache.max_entries = 2
    for size in range(5):
        result = await planned.execute("{ items { " + " ".join(["name"] * (size + 1)) + " } }")
        assert result.errors is None
    assert len(cache) == 2
    assert len(cache.conditions) == 2
    assert isinstance(cache, PlanCache)


async def test_plans_are_dropped_with_their_document() -> None:
    """Without a parse cache each request parses its own document: its plans go with it."""
    planned = strawberry.Schema(query=Query, execution_context_class=CertsExecutionContext)
    cache = plan_cache(planned._schema)
    for _ in range(5):
        result = await planned.execute("{ items { name } }")
        assert result.errors is None
    gc.collect()
    assert len(cache) == 0
    assert len(cache.conditions) == 0


class Counting(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        return _next(root, info, *args, **kwargs)


async def test_middleware_and_mutations_keep_graphql_cores_path() -> None:
    planned, _ = small_schemas(Counting)
    result = await planned.execute("{ items { name } }")
    assert result.errors is None
    assert plan_cache(planned._schema).entries == {}
    assert issubclass(CertsExecutionContext, PlannedExecutionContext)
