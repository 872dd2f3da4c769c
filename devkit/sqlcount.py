"""Counting the SQL statements Tortoise sends: it logs each one at DEBUG on "tortoise.db_client"
as "<sql>: <values>". Used by the query-count tests and by `bench/`."""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

SQL = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


class StatementLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if SQL.match(message):
            self.statements.append(message)


@contextmanager
def sql_statements(*, propagate: bool = True) -> Iterator[list[str]]:
    """The statements sent inside the block. `propagate=False` keeps them out of other handlers
    (the benchmarks' log output)."""
    logger = logging.getLogger("tortoise.db_client")
    handler = StatementLog()
    level, previous_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = propagate
    logger.addHandler(handler)
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = previous_propagate
