"""The reviewers' queue loads its nested fields in batches: the number of SQL statements does not
grow with the page size (no N+1)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from devkit.sqlcount import sql_statements
from domain.clock import FixedClock
from domain.enums import Role
from tests.support.factories import Caller, make_caller, make_company
from tests.support.flows import approve, reject, submit
from tests.support.graphql import GraphQLClient, data_of

TODAY = date(2026, 11, 24)
REQUESTS_IN_DB = 10

QUEUE = """
query Queue($first: Int, $status: CertificateRequestStatus) {
  certificateRequests(first: $first, status: $status) {
    totalCount
    edges { node { id status company { nit } documents { id } history { toStatus }
                   certificate { serialNumber } } }
  }
}
"""


@pytest.fixture
async def ten_requests(gql: GraphQLClient, reviewer: Caller, clock: FixedClock) -> None:
    """Ten companies with a request each, in every status: some with a certificate."""
    for index in range(REQUESTS_IN_DB):
        caller = await make_caller(Role.CUSTOMER, await make_company(name=f"Empresa {index}"))
        submitted = await submit(gql, caller.token, issued_on=TODAY - timedelta(days=3))
        assert submitted["errors"] == []
        request_id = submitted["request"]["id"]
        if index % 3 == 1:
            decided = await approve(
                gql,
                reviewer.token,
                request_id,
                f"SN-{index}",
                datetime(2026, 11, 25, 5, tzinfo=UTC).isoformat(),
                datetime(2027, 11, 25, 5, tzinfo=UTC).isoformat(),
            )
        elif index % 3 == 2:
            decided = await reject(gql, reviewer.token, request_id, "Falta la firma.", {})
        else:
            continue
        assert decided["errors"] == []
        clock.advance(timedelta(minutes=5))


async def count_statements(
    gql: GraphQLClient, caller: Caller, first: int, status: str | None = None
) -> tuple[int, list[str]]:
    with sql_statements() as statements:
        body = await gql.execute(QUEUE, {"first": first, "status": status}, token=caller.token)
    edges = data_of(body)["certificateRequests"]["edges"]
    total = data_of(body)["certificateRequests"]["totalCount"]
    assert len(edges) == min(first, total)
    assert all(len(edge["node"]["documents"]) == 3 for edge in edges)
    return len(statements), statements


async def test_the_queue_costs_the_same_statements_for_2_and_10_requests(
    gql: GraphQLClient, reviewer: Caller, ten_requests: None
) -> None:
    small, _ = await count_statements(gql, reviewer, 2)
    large, large_sql = await count_statements(gql, reviewer, 10)
    assert small == large, "\n".join(large_sql)


async def test_the_in_review_queue_costs_the_same_statements_for_2_and_10_requests(
    gql: GraphQLClient, reviewer: Caller, ten_requests: None
) -> None:
    small, _ = await count_statements(gql, reviewer, 2, "IN_REVIEW")
    large, large_sql = await count_statements(gql, reviewer, 10, "IN_REVIEW")
    assert small == large, "\n".join(large_sql)


async def test_the_queue_stays_within_its_statement_budget(
    gql: GraphQLClient, reviewer: Caller, ten_requests: None
) -> None:
    """Count and page (2), then one batch per nested list or object: company, documents,
    history, certificate (4). Authenticating the token is one more, before any resolver."""
    count, statements = await count_statements(gql, reviewer, 10)
    query = [s for s in statements if '"api_tokens"' not in s]
    assert count - len(query) == 1, "\n".join(statements)
    assert len(query) <= 6, "\n".join(query)


COMPANIES_TRACKING = """
query Tracking($first: Int) {
  certificateRequests(first: $first) {
    edges { node { company { tracking {
      certificate { serialNumber } latestRequest { status } notices { code }
      canSubmitRequest nextRequestKind } } } }
  }
}
"""


async def count_tracking_statements(gql: GraphQLClient, caller: Caller, first: int) -> int:
    with sql_statements() as statements:
        body = await gql.execute(COMPANIES_TRACKING, {"first": first}, token=caller.token)
    edges = data_of(body)["certificateRequests"]["edges"]
    assert len(edges) == first
    assert all(edge["node"]["company"]["tracking"]["latestRequest"] for edge in edges)
    return len(statements)


async def test_company_tracking_inside_a_list_costs_the_same_for_2_and_10_companies(
    gql: GraphQLClient, reviewer: Caller, ten_requests: None
) -> None:
    """Company.tracking cost three statements per company (9 in all for a page of 2, 30 for a
    page of 10). Through the loaders: token, count, page, companies, then certificates, latest
    request and in-review, one batch each, whatever the page size."""
    small = await count_tracking_statements(gql, reviewer, 2)
    large = await count_tracking_statements(gql, reviewer, 10)
    assert small == large
    assert large <= 7
