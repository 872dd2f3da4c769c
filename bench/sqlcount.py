"""Counting the SQL statements of one GraphQL operation, in-process, with the counter the
query-count tests use (devkit/sqlcount.py)."""

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.servers import PUBLIC_BASE_URL
from devkit.sqlcount import sql_statements
from domain.clock import SystemClock
from resolvers.context import Context
from schema.root import schema
from server.dependencies import build_dependencies
from server.settings import Settings
from services.auth import authenticate


@dataclass(frozen=True)
class Count:
    authentication: int
    operation: int
    statements: list[str]

    @property
    def total(self) -> int:
        return self.authentication + self.operation


async def count_statements(
    database_url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> Count:
    """Authenticate `token` and execute `query` in-process; Tortoise must be initialised."""
    with tempfile.TemporaryDirectory() as folder:
        deps = build_dependencies(Settings(data_dir=Path(folder), database_url=database_url))
        with sql_statements(propagate=False) as statements:
            principal = await authenticate(token, now=SystemClock().now())
            authentication = len(statements)
            result = await schema.execute(
                query,
                variable_values=variables,
                context_value=Context(
                    deps=deps, public_base_url=PUBLIC_BASE_URL, principal=principal
                ),
            )
        if result.errors:
            raise RuntimeError(f"{query[:60]!r} failed: {result.errors}")
        return Count(authentication, len(statements) - authentication, list(statements))
