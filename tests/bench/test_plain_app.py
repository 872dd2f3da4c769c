"""The plain queue endpoint answers what GraphQL answers, and the benchmark's count of resolved
fields is the number of fields graphql-core executes."""

from inspect import isawaitable
from typing import Any

import httpx
from graphql import GraphQLResolveInfo, execute, parse

from bench.fields import resolved_fields
from bench.operations import QUEUE
from domain.clock import FixedClock
from resolvers.context import Context
from schema.root import schema
from server.dependencies import build_dependencies
from server.settings import Settings
from services.auth import authenticate
from tests.support.factories import Caller
from tests.support.flows import queue_of_three
from tests.support.graphql import GraphQLClient, data_of


async def both_answers(
    gql: GraphQLClient, plain: httpx.AsyncClient, token: str, first: int, after: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    graphql = await gql.execute(QUEUE, {"first": first, "after": after}, token=token)
    params: dict[str, str | int] = {"first": first, **({"after": after} if after else {})}
    response = await plain.get(
        "/queue", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return graphql, response.json()


async def test_the_plain_queue_answers_what_graphql_answers(
    gql: GraphQLClient, plain: httpx.AsyncClient, reviewer: Caller, clock: FixedClock
) -> None:
    await queue_of_three(gql, reviewer, clock)
    graphql, plain_answer = await both_answers(gql, plain, reviewer.token, 50)
    page = data_of(graphql)["certificateRequests"]
    assert page["totalCount"] == 3
    nodes = [edge["node"] for edge in page["edges"]]
    names = [n["company"]["legalName"] for n in nodes]
    assert names == ["Empresa Uno", "Empresa Dos", "Empresa Cuatro"]  # oldest (re)submission first
    assert [n["isOverdue"] for n in nodes] == [True, True, False]
    assert sorted(len(n["history"]) for n in nodes) == [1, 1, 3]
    assert plain_answer == graphql


async def test_the_plain_queue_pages_like_graphql(
    gql: GraphQLClient, plain: httpx.AsyncClient, reviewer: Caller, clock: FixedClock
) -> None:
    await queue_of_three(gql, reviewer, clock)
    first_page, plain_first = await both_answers(gql, plain, reviewer.token, 2)
    assert plain_first == first_page
    cursor = data_of(first_page)["certificateRequests"]["pageInfo"]["endCursor"]
    rest, plain_rest = await both_answers(gql, plain, reviewer.token, 2, cursor)
    assert len(data_of(rest)["certificateRequests"]["edges"]) == 1
    assert plain_rest == rest


async def test_the_plain_queue_refuses_what_graphql_refuses(
    plain: httpx.AsyncClient, reviewer: Caller
) -> None:
    headers = {"Authorization": f"Bearer {reviewer.token}"}
    response = await plain.get("/queue", params={"first": 500}, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "error": "INVALID_INPUT",
        "message": "`first` debe estar entre 0 y 100.",
    }
    assert (await plain.get("/queue")).status_code == 401


async def test_resolved_fields_are_the_fields_graphql_core_executes(
    gql: GraphQLClient, reviewer: Caller, clock: FixedClock, settings: Settings
) -> None:
    await queue_of_three(gql, reviewer, clock)
    executed: list[str] = []

    def count(next_: Any, root: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        executed.append(info.field_name)
        return next_(root, info, **args)

    principal = await authenticate(reviewer.token, now=clock.now())
    context = Context(
        deps=build_dependencies(settings, clock),
        public_base_url=settings.public_base_url,
        principal=principal,
    )
    running = execute(
        schema._schema,
        parse(QUEUE),
        context_value=context,
        variable_values={"first": 50},
        middleware=[count],
    )
    result = await running if isawaitable(running) else running
    assert result.errors is None
    assert len(executed) > 100
    assert resolved_fields(result.data) == len(executed)
