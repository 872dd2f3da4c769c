"""The real ASGI app over an in-memory transport, on the test database (Tortoise set up by `db`)."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from domain.clock import FixedClock
from domain.enums import Role
from server.app import create_app
from server.settings import Settings
from tests.support.factories import Caller, make_caller, make_company
from tests.support.graphql import GraphQLClient


@pytest.fixture
def settings(tmp_path: Path, db: str) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=db)


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
async def customer(db: str) -> Caller:
    return await make_caller(Role.CUSTOMER, await make_company(), name="Camila Rojas")


@pytest.fixture
async def other_customer(db: str) -> Caller:
    return await make_caller(Role.CUSTOMER, await make_company(name="Otra Empresa S.A.S."))
