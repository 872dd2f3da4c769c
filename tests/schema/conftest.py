"""The real ASGI app over an in-memory transport, on the test database (Tortoise set up by `db`)."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from domain.calendar import local_date
from domain.clock import FixedClock
from server.app import create_app
from server.settings import Settings
from tests.conftest import DEFAULT_NOW
from tests.support.factories import Caller
from tests.support.flows import submit
from tests.support.graphql import GraphQLClient


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> Starlette:
    # httpx's ASGITransport does not run the lifespan; `db` has already connected Tortoise.
    return create_app(settings, clock=clock)


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
async def in_review(gql: GraphQLClient, customer: Caller) -> dict[str, Any]:
    """The customer's request, just submitted (its chamber certificate issued five days ago)."""
    submitted = await submit(
        gql, customer.token, issued_on=local_date(DEFAULT_NOW) - timedelta(days=5)
    )
    assert submitted["errors"] == []
    request: dict[str, Any] = submitted["request"]
    return request
