"""Counting the SQL statements of one GraphQL operation, in-process, the way
tests/api/test_query_count.py does: Tortoise logs every statement it sends at DEBUG."""

import logging
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.clock import SystemClock
from schema.context import Context
from schema.root import schema
from server.app import build_dependencies
from server.settings import Settings
from services.auth import authenticate

SQL = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


class _StatementLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if SQL.match(message):
            self.statements.append(message)


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    logger = logging.getLogger("tortoise.db_client")
    handler = _StatementLog()
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


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
        with sql_statements() as statements:
            principal = await authenticate(token, now=SystemClock().now())
            authentication = len(statements)
            result = await schema.execute(
                query,
                variable_values=variables,
                context_value=Context(
                    deps=deps, public_base_url="https://certs.bench.example", principal=principal
                ),
            )
        if result.errors:
            raise RuntimeError(f"{query[:60]!r} failed: {result.errors}")
        return Count(authentication, len(statements) - authentication, list(statements))
