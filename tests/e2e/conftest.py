"""End-to-end: a real server process over loopback, on the test database (SQLite and PostgreSQL)."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.graphql import GraphQLClient
from tests.support.server import RunningServer, certs_json, running_server, server_env

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder starts a real server process: marked `e2e` here, once (a
    `pytestmark` in a conftest.py marks nothing)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[RunningServer]:
    env = server_env(tmp_path / "var", database_url)
    with running_server(env) as running:
        yield running


@pytest.fixture
def demo(server: RunningServer) -> dict[str, Any]:
    """`certs demo` against the server's database: the company and a token per role."""
    return certs_json(server.env, "demo")


@pytest.fixture
async def client(server: RunningServer) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        yield GraphQLClient(http)
