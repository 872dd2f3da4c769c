"""The benchmark's plain app, on the same test database and clock as the service's GraphQL app
(`gql`, tests/conftest.py)."""

from collections.abc import AsyncIterator

import httpx
import pytest

from bench.plain_app import create_plain_app
from domain.clock import FixedClock
from server.settings import Settings


@pytest.fixture
async def plain(settings: Settings, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_plain_app(settings, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
