"""`python -m bench.inprocess --page tracking` measures the plain endpoint with Tortoise's statement
logger as the plain endpoint's own process has it, then gives `certs serve`'s back."""

import logging

from bench.inprocess import SQL_LOGGER, sql_uncounted
from server.logs import count_sql_statements, sql_counter


def test_the_plain_rows_build_no_log_record_and_the_graphql_rows_count_again() -> None:
    count_sql_statements()
    sql = logging.getLogger(SQL_LOGGER)
    before = (list(sql.handlers), sql.level, sql.propagate)
    with sql_uncounted(), sql_counter() as statements:
        assert not sql.isEnabledFor(logging.DEBUG)
        sql.debug("SELECT 1")
    assert statements == [0]
    assert (list(sql.handlers), sql.level, sql.propagate) == before
    with sql_counter() as statements:
        sql.debug("SELECT 1")
    assert statements == [1]
