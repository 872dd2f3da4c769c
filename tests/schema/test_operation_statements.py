"""The SQL statements of every query operation of the API guide (README, «Using the API») and of
the benchmark (bench/operations.py), pinned, on SQLite and PostgreSQL, at two sizes: a count that
grows with the page (or with a company's history) is an N+1 and fails here.

The README's queue asks a subset of the benchmark's QUEUE fields; its tracking query is TRACKING.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from bench.operations import QUEUE, TRACKING
from devkit.sqlcount import sql_statements
from domain.enums import Role
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import PDF
from tests.support.flows import approve, reject, resubmit, submit
from tests.support.graphql import GraphQLClient, data_of

TODAY = date(2026, 11, 24)
VALID_FROM = datetime(2026, 11, 25, 5, tzinfo=UTC).isoformat()
VALID_UNTIL = datetime(2027, 11, 25, 5, tzinfo=UTC).isoformat()

#: Token, then the company, its certificates, latest request and in-review check, then the
#: request's documents and history (one batch each).
TRACKING_STATEMENTS = 7
#: Token, count, page, then one batch each for company, documents, history and certificate.
QUEUE_STATEMENTS = 7


async def statements_of(
    gql: GraphQLClient, token: str, query: str, variables: dict[str, object] | None = None
) -> tuple[int, dict[str, object]]:
    with sql_statements() as statements:
        body = await gql.execute(query, variables or {}, token=token)
    return len(statements), data_of(body)


async def approved_company(gql: GraphQLClient, reviewer: Caller, rejections: int) -> Caller:
    """A company with an issued certificate, after `rejections` rounds of reject and resubmit."""
    caller = await make_caller(Role.CUSTOMER, await make_company())
    submitted = await submit(gql, caller.token, issued_on=TODAY - timedelta(days=3))
    request_id = submitted["request"]["id"]
    for round_ in range(rejections):
        rejected = await reject(gql, reviewer.token, request_id, f"Ronda {round_}.", {})
        assert rejected["errors"] == []
        again = await resubmit(gql, caller.token, request_id, {"RUT": PDF + bytes([round_])})
        assert again["errors"] == []
    approved = await approve(
        gql, reviewer.token, request_id, f"SN-{rejections}", VALID_FROM, VALID_UNTIL
    )
    assert approved["errors"] == []
    return caller


async def test_tracking_costs_the_same_for_a_short_and_a_long_history(
    gql: GraphQLClient, reviewer: Caller
) -> None:
    short = await approved_company(gql, reviewer, rejections=0)
    long = await approved_company(gql, reviewer, rejections=3)
    short_count, short_data = await statements_of(gql, short.token, TRACKING)
    long_count, long_data = await statements_of(gql, long.token, TRACKING)
    histories = [
        len(data["certificateTracking"]["latestRequest"]["history"])  # type: ignore[index]
        for data in (short_data, long_data)
    ]
    assert histories == [2, 8]
    assert (short_count, long_count) == (TRACKING_STATEMENTS, TRACKING_STATEMENTS)


@pytest.mark.parametrize("first", [2, 10])
async def test_the_queue_costs_the_same_for_2_and_10_requests(
    gql: GraphQLClient, reviewer: Caller, first: int
) -> None:
    for index in range(10):
        caller = await make_caller(Role.CUSTOMER, await make_company(name=f"Empresa {index}"))
        submitted = await submit(gql, caller.token, issued_on=TODAY - timedelta(days=3))
        assert submitted["errors"] == []
    count, data = await statements_of(gql, reviewer.token, QUEUE, {"first": first})
    assert len(data["certificateRequests"]["edges"]) == first  # type: ignore[index]
    assert count == QUEUE_STATEMENTS
