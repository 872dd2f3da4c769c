"""Each operation's log line counts the SQL statements it sent, without a log record per
statement unless someone listens at DEBUG, whose records still come (tuning/statement_count.py)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from devkit.sqlcount import sql_statements
from tests.support.factories import Caller
from tests.support.operations import TRACKING
from tuning.statement_count import count_debug_calls, counting_paused

SQL_LOGGER = "tortoise.db_client"


@contextmanager
def records_made(name: str) -> Iterator[list[logging.LogRecord]]:
    """The log records made for logger `name` inside the block (by any handler or none)."""
    made: list[logging.LogRecord] = []
    factory = logging.getLogRecordFactory()

    def recording(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if record.name == name:
            made.append(record)
        return record

    logging.setLogRecordFactory(recording)
    try:
        yield made
    finally:
        logging.setLogRecordFactory(factory)


async def tracking_sql_count(
    http: httpx.AsyncClient, caller: Caller, caplog: pytest.LogCaptureFixture
) -> int:
    """The SQL count of the tracking query's log line."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="certs.operations"):
        response = await http.post("/graphql", json={"query": TRACKING}, headers=caller.headers)
    assert "errors" not in response.json()
    (line,) = [r for r in caplog.records if r.name == "certs.operations"]
    count: int = line.sql_count  # type: ignore[attr-defined]
    return count


async def test_the_log_line_counts_every_statement_and_builds_no_record_for_them(
    http: httpx.AsyncClient, customer: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    await tracking_sql_count(http, customer, caplog)  # the token's last use written once
    with sql_statements(propagate=False) as sent:  # a listener at DEBUG: records as before
        listened = await tracking_sql_count(http, customer, caplog)
    # The operation's statements: each counted once, not once more for its record; the token's
    # read comes before the operation, outside its count.
    operation = [statement for statement in sent if '"api_tokens"' not in statement]
    assert listened == len(operation) >= 4
    sql = logging.getLogger(SQL_LOGGER)
    assert not sql.isEnabledFor(logging.DEBUG)  # as in production (LOG_LEVEL=INFO)
    with records_made(SQL_LOGGER) as made:
        unheard = await tracking_sql_count(http, customer, caplog)
    assert unheard == len(operation)
    assert made == []


def test_calls_are_counted_and_logged_as_before_only_when_enabled() -> None:
    logger = logging.getLogger("tests.statement_count")
    calls: list[None] = []
    count_debug_calls(logger, lambda: calls.append(None))
    logger.setLevel(logging.INFO)
    with records_made(logger.name) as made:
        logger.debug("SELECT %s", 1)
    assert (len(calls), made) == (1, [])
    logger.setLevel(logging.DEBUG)
    with records_made(logger.name) as made:
        logger.debug("SELECT %s", 2)
    assert len(calls) == 2
    assert [(r.getMessage(), r.funcName) for r in made] == [
        ("SELECT 2", "test_calls_are_counted_and_logged_as_before_only_when_enabled")
    ]  # the caller is the one that logged, not the counting wrapper
    with counting_paused(logger), records_made(logger.name) as made:
        logger.debug("SELECT 3")
    assert len(calls) == 2
    assert len(made) == 1
    logger.debug("SELECT 4")
    assert len(calls) == 3
