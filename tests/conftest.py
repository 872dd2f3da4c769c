"""Fixtures for the whole suite: a migrated database per backend, a fixed clock, the services'
dependencies, the app over an in-memory transport (`app`, `http`, `gql`)."""

import asyncio
import os
import time
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from starlette.applications import Starlette
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

from devkit.database import (
    MigratedSqlite,
    create_migrated_postgres_database,
    drop_postgres_database,
    postgres_admin_url,
    truncate_postgres,
    without_waiting_for_the_disk,
)
from devkit.smtp_server import SmtpServer
from domain.clock import FixedClock
from domain.enums import Role
from events.bus import InProcessBus
from models import Company
from models.database import tortoise_config
from server.settings import Settings
from services.dependencies import Dependencies
from storage.documents import DocumentStore
from tests.support.app import in_process_app
from tests.support.factories import DEFAULT_NOW, Caller, make_caller, make_company
from tests.support.graphql import GraphQLClient

BACKENDS = ["sqlite", "postgres"]

# Hypothesis profiles (docs/testing.md), chosen by HYPOTHESIS_PROFILE; `ci` unless told otherwise.
# `ci`: the same examples on every run and every machine (derandomized: each test's examples
# come from a hash of its code), a fixed count, no deadline a loaded machine could miss. Hypothesis
# ties derandomize to database=None, so `ci` reads and writes no example database.
# `dev`: a fresh random draw each run, more examples, and the example database kept under
# .hypothesis/ so that a failure found once is tried first on the next run. On a failure the
# seed to replay it is printed (see pytest_runtest_makereport below).
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=300,
    deadline=None,
    print_blob=True,
    database=DirectoryBasedExampleDatabase(
        Path(__file__).parent.parent / ".hypothesis" / "examples"
    ),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> MigratedSqlite:
    return MigratedSqlite(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
    url = asyncio.run(create_migrated_postgres_database(admin))
    yield url
    asyncio.run(drop_postgres_database(admin, url))


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worker's SQLite database: every test's fresh copy of the template is written there,
    so that the worker's Tortoise (`db`) keeps one configuration."""
    return tmp_path_factory.mktemp("sqlite") / "test.sqlite3"


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, sqlite_path: Path, sqlite_template: MigratedSqlite
) -> str:
    """The URL of a migrated, empty database: a copy of the SQLite template, or PostgreSQL truncated."""
    if request.param == "sqlite":
        return sqlite_template.copy_to(sqlite_path)
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(truncate_postgres(url))
    return url


class _WorkerTortoise:
    """The worker's Tortoise, initialised again only when it must be. `Tortoise.init` rebuilds
    every model's filters and query templates (about 5 ms of CPU); a test on the same backend as
    the one before finds them as it left them, its connection closed, and Tortoise opens a new
    one, on the test's event loop, from the stored configuration at the first query."""

    context: TortoiseContext | None = None
    config: dict[str, Any] | None = None
    # What an init by anyone else (a `certs` command run in this process, a server's lifespan)
    # replaces: the models' query templates, which belong to the classes, not to a context.
    basequery: object = None

    @classmethod
    async def entered(cls, database_url: str) -> TortoiseContext:
        config = without_waiting_for_the_disk(tortoise_config(database_url))
        context = cls.context
        if (
            context is None
            or config != cls.config
            or context._connections is None
            or Company._meta.basequery is not cls.basequery
        ):
            # Tortoise caches generated SQL per connection *name*, whatever the dialect; the
            # suite alternates SQLite and PostgreSQL under the one name "default".
            EXECUTOR_CACHE.clear()
            context = TortoiseContext()
            context.__enter__()
            await context.init(config=config)
            cls.context, cls.config = context, config
            cls.basequery = Company._meta.basequery
        else:
            context.__enter__()
        return context


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """Tortoise connected to a fresh migrated database for the test; yields the database URL."""
    context = await _WorkerTortoise.entered(database_url)
    try:
        yield database_url
    finally:
        if context._connections is not None:
            await context._connections.close_all(discard=True)
        context.__exit__(None, None, None)


# The people of the suite: two companies, each with a customer; a reviewer; an operator.


@pytest.fixture
async def company(db: str) -> Company:
    return await make_company(contact_email="contacto@ejemplo.co")


@pytest.fixture
async def customer(company: Company) -> Caller:
    return await make_caller(Role.CUSTOMER, company, name="Camila Rojas")


@pytest.fixture
async def other_company(db: str) -> Company:
    return await make_company(name="Otra Empresa S.A.S.", contact_email="otra@ejemplo.co")


@pytest.fixture
async def other_customer(other_company: Company) -> Caller:
    return await make_caller(Role.CUSTOMER, other_company, name="Diego Torres")


@pytest.fixture
async def reviewer(db: str) -> Caller:
    return await make_caller(Role.REVIEWER, name="Andrés Gómez")


@pytest.fixture
async def admin(db: str) -> Caller:
    return await make_caller(Role.ADMIN, name="Olga Martínez")


@pytest.fixture(name="settings")  # `settings` in this module is Hypothesis's
def app_settings(tmp_path: Path, db: str) -> Settings:
    """The app's settings on the test database, its files under tmp_path; a module that needs
    other limits overrides this fixture."""
    return Settings(data_dir=tmp_path / "var", database_url=db)


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> Starlette:
    """The real ASGI app on the test database and the fixed clock, serving the worker's schema for
    its settings (tests/support/app.py). httpx's ASGITransport does not run the lifespan; `db` has
    already connected Tortoise."""
    return in_process_app(settings, clock=clock)


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """`app` over an in-memory transport."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def deps(clock: FixedClock, tmp_path: Path) -> Dependencies:
    """What the server hands every use case: the fixed clock, a document store under tmp_path,
    an in-process bus."""
    return Dependencies(
        clock=clock, documents=DocumentStore(tmp_path / "documents"), bus=InProcessBus()
    )


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real aiosmtpd server on 127.0.0.1, on a free port, for one test."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def machine_five_hours_behind_utc() -> Iterator[None]:
    """The process's local zone set to UTC-5 (TZ), then put back: a rule that falls back to the
    machine's zone where it should say UTC shows it here, not only on a server set to Bogotá."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "<-05>5"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    if not os.environ.get("TEST_DATABASE_URL"):
        lines.append("PostgreSQL tests skipped: set TEST_DATABASE_URL to run them")
    if not os.environ.get("TEST_REDIS_URL"):
        lines.append("Redis tests skipped: set TEST_REDIS_URL to run them")
    return lines


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On a failed Hypothesis test, say how to replay exactly that draw."""
    report: pytest.TestReport = yield
    if report.when == "call" and report.failed:
        seed = getattr(getattr(item, "obj", None), "_hypothesis_internal_use_generated_seed", None)
        if seed is not None:
            report.sections.append(
                (
                    "hypothesis seed",
                    f"HYPOTHESIS_PROFILE={settings.get_current_profile_name()} "
                    f"pytest {item.nodeid} --hypothesis-seed={seed}",
                )
            )
    return report
