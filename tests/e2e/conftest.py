"""End-to-end: a real server process over loopback, on the test database (SQLite and PostgreSQL).

A test that only needs a server as `certs serve` starts it, and either only reads or works with
users and rows no other test of the session touches, takes a shared one (`shared_server`, or
`two_worker_server` for `--workers 2`): started once per backend and per pytest-xdist worker,
each on a database of its own. A test that kills, pauses for long, restarts or configures its
server, or asserts on the whole of its state (every email, every stored file), starts its own
(`server`)."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devkit.database import (
    MigratedSqlite,
    create_migrated_postgres_database,
    drop_postgres_database,
    postgres_admin_url,
)
from tests.support.graphql import GraphQLClient
from tests.support.server import (
    RunningServer,
    SharedServer,
    certs_json,
    json_logs,
    running_server,
    server_env,
)

HERE = Path(__file__).parent
BACKENDS = ["sqlite", "postgres"]


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


# Servers shared by the tests of a pytest-xdist worker.


@pytest.fixture(scope="session")
def new_database(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: MigratedSqlite
) -> Iterator[Callable[[str], str]]:
    """Makes a migrated, empty database of the session's own on a backend (a PostgreSQL one
    apart from the worker's usual database, which `database_url` truncates before each test);
    the PostgreSQL ones are dropped at the end of the session."""
    admin = postgres_admin_url()
    created: list[str] = []

    def new(backend: str) -> str:
        if backend == "sqlite":
            return sqlite_template.fresh_copy(tmp_path_factory.mktemp("shared-db"))
        if admin is None:
            pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
        url = asyncio.run(create_migrated_postgres_database(admin))
        created.append(url)
        return url

    yield new
    for url in created:
        assert admin is not None
        asyncio.run(drop_postgres_database(admin, url))


def shared(
    new_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
    backend: str,
    workers: int,
) -> Iterator[SharedServer]:
    database_url = new_database(backend)
    env = server_env(
        tmp_path_factory.mktemp("shared-server") / "var",
        database_url,
        LOG_FORMAT="json",
        WEBHOOK_ALLOW_LOCAL="true",  # the webhook test's receiver is on loopback
    )
    if workers > 1:  # the workers' startup lines with their pids, and a line per operation
        env["LOG_LEVEL"] = "INFO"
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the serve command makes a private folder
    with running_server(env, workers=workers) as running:
        logs = json_logs(running)
        yield SharedServer(running, certs_json(running.env, "demo"), logs)


def shared_server_fixture(name: str, backend: str, workers: int) -> Any:
    """A session fixture `name`: the shared server with `workers` workers on `backend`."""

    @pytest.fixture(scope="session", name=name)
    def fixture(
        new_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[SharedServer]:
        yield from shared(new_database, tmp_path_factory, backend, workers)

    return fixture


shared_sqlite_server = shared_server_fixture("shared_sqlite_server", "sqlite", workers=1)
shared_postgres_server = shared_server_fixture("shared_postgres_server", "postgres", workers=1)
two_worker_sqlite_server = shared_server_fixture("two_worker_sqlite_server", "sqlite", workers=2)
two_worker_postgres_server = shared_server_fixture(
    "two_worker_postgres_server", "postgres", workers=2
)


@pytest.fixture(params=BACKENDS)
def shared_server(request: pytest.FixtureRequest) -> SharedServer:
    """The shared one-worker server on each backend."""
    running: SharedServer = request.getfixturevalue(f"shared_{request.param}_server")
    return running


@pytest.fixture(params=BACKENDS)
def two_worker_server(request: pytest.FixtureRequest) -> SharedServer:
    """The shared `certs serve --workers 2` on each backend."""
    running: SharedServer = request.getfixturevalue(f"two_worker_{request.param}_server")
    return running
