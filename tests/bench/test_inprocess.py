"""`python -m bench.inprocess --page tracking` measures the plain endpoint with Tortoise's statement
logger as the plain endpoint's own process has it, then gives `certs serve`'s back; a row is
divided by the row it is compared with; the row without lean resolvers runs Strawberry's."""

import logging

from bench.inprocess import SQL_LOGGER, chain_with_plans, paired_ratios, sql_uncounted
from schema.root import schema
from server.logs import count_sql_statements, sql_counter
from tuning.execution_plans import plan_cache


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


def test_a_row_is_paired_with_the_row_it_names_or_else_the_row_above() -> None:
    measured = {"on": [2.0, 4.0, 3.0], "off": [2.2, 4.4, 3.3], "plain": [1.0, 2.0, 1.5]}
    assert paired_ratios(measured, ["on", "off", "plain"]) == {
        "on": "",
        "off": "1.100",
        "plain": "0.455",
    }
    assert paired_ratios(measured, ["on", "off", "plain"], against={"plain": "on"}) == {
        "on": "",
        "off": "1.100",
        "plain": "0.500",
    }


def test_the_resolver_chain_row_runs_strawberrys_resolvers_from_plans_of_its_own() -> None:
    lean = list(schema.lean_fields)
    assert lean, "the schema has fields with lean resolvers"
    plans = plan_cache(schema._schema)
    with chain_with_plans(schema)():
        assert all(field.resolve is strawberrys for field, strawberrys in lean)
        assert plan_cache(schema._schema) is not plans
    assert plan_cache(schema._schema) is plans
    assert [field for field, _ in schema.lean_fields] == [field for field, _ in lean]
    assert all(field.resolve is not strawberrys for field, strawberrys in schema.lean_fields)
