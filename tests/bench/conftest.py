"""The service's GraphQL app and the benchmark's plain app, on the same test database and clock."""

from collections.abc import AsyncIterator

import httpx
import pytest

from bench.plain_app import create_plain_app
from domain.clock import FixedClock
from server.app import create_app
from server.settings import Settings
from tests.support.graphql import GraphQLClient


@pytest.fixture
async def gql(settings: Settings, clock: FixedClock) -> AsyncIterator[GraphQLClient]:
    # httpx's ASGITransport does not run the lifespan; `db` has already connected Tortoise.
    transport = httpx.ASGITransport(app=create_app(settings, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield GraphQLClient(client)


@pytest.fixture
async def plain(settings: Settings, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_plain_app(settings, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
