"""Test databases: SQLite always, PostgreSQL when TEST_DATABASE_URL is set; migrated once per run."""

import asyncio
import os
import shutil
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

from models.migrate import apply_migrations


def postgres_admin_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def create_postgres_database(admin_url: str, prefix: str = "certs_test") -> str:
    """A new, empty database on the server of `admin_url`; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(admin_url, name)


async def create_migrated_postgres_database(admin_url: str, prefix: str = "certs_test") -> str:
    """A new database on the server of `admin_url` with every migration applied; returns its URL.
    A migration that fails drops it again."""
    url = await create_postgres_database(admin_url, prefix)
    try:
        await apply_migrations(url)
    except BaseException:
        await drop_postgres_database(admin_url, url)
        raise
    return url


async def drop_postgres_database(admin_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class MigratedSqlite:
    """A SQLite file migrated once; each test gets a fresh copy of it."""

    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.sqlite3"
        asyncio.run(apply_migrations(f"sqlite://{self.template}"))

    def fresh_copy(self, folder: Path) -> str:
        target = folder / f"{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite://{target}"

    def copy_to(self, target: Path) -> str:
        """A fresh copy at `target`, put in place of the file there (a new file: a connection
        still open on the old one would not see it change under it), without the old file's
        rollback journal."""
        staged = target.with_name(f"{target.name}.new")
        shutil.copyfile(self.template, staged)
        target.with_name(f"{target.name}-journal").unlink(missing_ok=True)
        os.replace(staged, target)
        return f"sqlite://{target}"


def without_waiting_for_the_disk(config: dict[str, Any]) -> dict[str, Any]:
    """`config` (`models.database.tortoise_config`) with a SQLite connection that does not wait
    for the disk at each commit (`PRAGMA synchronous=OFF`), for a test's own connection to its
    own copy: what other connections see of a commit is unchanged, only what a power cut would
    leave of it, and the copy is thrown away with the test. About a third of the wall time of a
    test that writes a few rows (`db` and three people: 80 -> 45 ms at load average 9). The URL
    handed to other processes stays as it was; PostgreSQL is left as it is."""
    connection = config["connections"]["default"]
    if not isinstance(connection, str) or not connection.startswith("sqlite://"):
        return config
    expanded = expand_db_url(connection)
    expanded["credentials"]["synchronous"] = "OFF"
    return {**config, "connections": {**config["connections"], "default": expanded}}


async def truncate_postgres(url: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'tortoise_migrations'"
        )
        names = ", ".join(f'"{row["tablename"]}"' for row in tables)
        await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
