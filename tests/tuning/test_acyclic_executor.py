"""An operation's executor, and everything only it holds (the context with its request), is freed
as the answer is returned, without the garbage collector; the helpers graphql-core hands the
resolvers still gather and track their work (tuning/acyclic_executor.py)."""

import asyncio
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    parse,
)
from graphql import execute as graphql_execute
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.root import CertsExecutionContext
from tests.support.waiting import wait_until
from tuning.acyclic_executor import AcyclicExecutor


class Request:
    """What a context holds for the length of an operation (weakly referenceable)."""


@strawberry.type
class Query:
    @strawberry.field
    async def greeting(self, info: strawberry.Info) -> str:
        await asyncio.sleep(0)
        return "hola"


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _context_alive_after(execution_context_class: type[Any]) -> bool:
    schema = strawberry.Schema(query=Query, execution_context_class=execution_context_class)
    context = {"request": Request()}
    request = weakref.ref(context["request"])
    result = await schema.execute("{ greeting }", context_value=context)
    assert result.errors is None
    assert result.data == {"greeting": "hola"}
    del context, result
    return request() is not None


@pytest.mark.usefixtures("collector_off")
async def test_an_operation_s_context_is_freed_as_its_answer_is_returned() -> None:
    assert not await _context_alive_after(CertsExecutionContext)


@pytest.mark.usefixtures("collector_off")
async def test_without_it_only_the_garbage_collector_frees_them() -> None:
    """graphql-core's own executor is in a cycle (docs/performance/upstream/
    graphql-core-executor-cycle.md): when this fails, the patch may be unnecessary."""
    assert await _context_alive_after(StrawberryGraphQLCoreExecutionContext)
    gc.collect()


async def test_the_resolvers_helpers_still_gather_and_track_work() -> None:
    """Resolving an interface's type with an awaitable `is_type_of` makes graphql-core gather the
    checks (a cat) or track the pending ones once a later type matched (a dog) through
    `info.async_helpers`: the answer is graphql-core's own, and every check was awaited."""
    checked: list[str] = []

    async def is_cat(value: Any, info: Any) -> bool:
        await asyncio.sleep(0)
        checked.append(value["name"])
        return "meow" in value

    named = GraphQLInterfaceType("Named", {"name": GraphQLField(GraphQLString)})
    cat = GraphQLObjectType(
        "Cat",
        {"name": GraphQLField(GraphQLString), "meow": GraphQLField(GraphQLString)},
        interfaces=[named],
        is_type_of=is_cat,
    )
    dog = GraphQLObjectType(
        "Dog",
        {"name": GraphQLField(GraphQLString), "bark": GraphQLField(GraphQLString)},
        interfaces=[named],
        is_type_of=lambda value, info: "bark" in value,
    )
    pets = [{"name": "Luna", "meow": "miau"}, {"name": "Rex", "bark": "guau"}]
    query = GraphQLObjectType(
        "Query", {"pets": GraphQLField(GraphQLList(named), resolve=lambda *_: pets)}
    )
    graphql_schema = GraphQLSchema(query, types=[cat, dog])
    document = parse("{ pets { name ... on Cat { meow } ... on Dog { bark } } }")
    ours = await graphql_execute(graphql_schema, document, executor_class=AcyclicExecutor)  # type: ignore[misc]
    theirs = await graphql_execute(  # type: ignore[misc]
        graphql_schema, document, executor_class=StrawberryGraphQLCoreExecutionContext
    )
    assert ours == theirs
    assert ours.data == {
        "pets": [{"name": "Luna", "meow": "miau"}, {"name": "Rex", "bark": "guau"}]
    }
    # Each execution tracks Rex's check as a cat, which settles in the background.
    await wait_until(lambda: checked.count("Rex") == 2, what="the tracked checks")
