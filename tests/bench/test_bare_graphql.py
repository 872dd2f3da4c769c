"""The benchmark's floor (bench/bare_graphql.py) answers what `certs serve` answers for the
benchmark's documents, so the figures set beside each other measure the same work."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bench.bare_graphql import create_bare_app
from bench.operations import QUEUE, TRACKING
from domain.clock import FixedClock
from domain.enums import Role
from schema.root import build_schema, schema
from server.settings import Settings
from tests.support.factories import Caller, make_caller, make_company
from tests.support.flows import queue_of_three, submit
from tests.support.graphql import GraphQLClient, data_of
from tuning.execution_plans import plan_cache


@pytest.fixture
async def bare(settings: Settings, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_bare_app(settings, clock=clock, schema=schema))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def post(
    bare: httpx.AsyncClient, query: str, token: str | None, variables: dict[str, Any] | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await bare.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


async def test_the_bare_route_answers_the_tracking_query_as_the_server_does(
    gql: GraphQLClient, bare: httpx.AsyncClient, clock: FixedClock
) -> None:
    customer = await make_caller(Role.CUSTOMER, await make_company(name="Empresa Uno"))
    assert (await submit(gql, customer.token, issued_on=clock.now().date()))["errors"] == []
    served = await gql.execute(TRACKING, token=customer.token)
    tracking = data_of(served)["certificateTracking"]
    assert tracking["latestRequest"]["status"] == "IN_REVIEW"
    assert len(tracking["latestRequest"]["documents"]) == 3
    response = await post(bare, TRACKING, customer.token)
    assert response.status_code == 200
    assert response.json() == served


async def test_the_bare_route_answers_the_queue_page_as_the_server_does(
    gql: GraphQLClient, bare: httpx.AsyncClient, reviewer: Caller, clock: FixedClock
) -> None:
    await queue_of_three(gql, reviewer, clock)
    for first in (2, 50):
        served = await gql.execute(QUEUE, {"first": first}, token=reviewer.token)
        assert data_of(served)["certificateRequests"]["totalCount"] == 3
        response = await post(bare, QUEUE, reviewer.token, {"first": first})
        assert response.json() == served


async def test_the_bare_route_answers_errors_as_data_and_refuses_what_it_cannot_run(
    bare: httpx.AsyncClient,
) -> None:
    anonymous = (await post(bare, TRACKING, None)).json()
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    invalid = await post(bare, "{ certificateTracking { nope } }", None)
    assert invalid.status_code == 400
    assert "nope" in invalid.json()["errors"][0]["message"]
    cached = await post(bare, "{ certificateTracking { nope } }", None)
    assert cached.json() == invalid.json()
    assert (await post(bare, "{ certificateTracking {", None)).status_code == 400
    for query, variables in ((None, None), (42, None), (["{ a }"], None), (TRACKING, [1])):
        wrong = await bare.post("/graphql", json={"query": query, "variables": variables})
        assert wrong.status_code == 400, (query, variables)
    unreadable = await bare.post(
        "/graphql", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert unreadable.status_code == 400
    assert (await bare.post("/graphql", json=["not", "an", "object"])).status_code == 400


async def test_the_bare_route_executes_from_the_servers_execution_plans(
    settings: Settings, clock: FixedClock
) -> None:
    """The floor runs the server's executor (tuning/execution_plans.py), not graphql-core's own:
    a schema of its own starts with no plans and keeps one plan set for the tracking document."""
    own = build_schema()
    assert len(plan_cache(own._schema)) == 0
    customer = await make_caller(Role.CUSTOMER, await make_company(name="Empresa Uno"))
    transport = httpx.ASGITransport(app=create_bare_app(settings, clock=clock, schema=own))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for _ in range(2):
            answer = (await post(client, TRACKING, customer.token)).json()
            assert answer["data"]["certificateTracking"]["company"]["legalName"] == "Empresa Uno"
    assert len(plan_cache(own._schema)) == 1
