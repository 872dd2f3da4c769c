"""A page of requests loads its requests' company, documents, history and certificate for the whole
page at once, only those the query selects (through fragments too), and answers what each request
answers on its own."""

from datetime import date, timedelta
from typing import Any

from devkit.sqlcount import sql_statements
from domain.clock import FixedClock
from domain.enums import Role
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import PDF
from tests.support.flows import approve, reject, resubmit, submit
from tests.support.graphql import GraphQLClient, data_of

TODAY = date(2026, 11, 24)

REQUEST_FIELDS = """
  id status company { nit legalName }
  documents { id kind fileName downloadUrl }
  history { fromStatus toStatus at actor { name role } note }
  certificate { serialNumber status company { legalName } }
"""
PAGE = "query { certificateRequests(first: 10) { edges { node {" + REQUEST_FIELDS + "} } } }"
ONE = "query One($id: ID!) { node(id: $id) { ... on CertificateRequest {" + REQUEST_FIELDS + "} } }"
THROUGH_FRAGMENTS = """
query {
  certificateRequests(first: 10) {
    edges { node { id ...Files ... on CertificateRequest { history { toStatus } } } }
  }
}
fragment Files on CertificateRequest { documents { id } }
"""


async def three_requests(gql: GraphQLClient, reviewer: Caller, clock: FixedClock) -> None:
    """In review, rejected and resubmitted (3 history rows, a replaced document), completed."""
    ids = []
    for name in ("Empresa Uno", "Empresa Dos", "Empresa Tres"):
        caller = await make_caller(Role.CUSTOMER, await make_company(name=name))
        submitted = await submit(gql, caller.token, issued_on=TODAY - timedelta(days=3))
        ids.append((caller, submitted["request"]["id"]))
        clock.advance(timedelta(minutes=7))
    assert (await reject(gql, reviewer.token, ids[1][1], "Falta la firma.", {}))["errors"] == []
    assert (await resubmit(gql, ids[1][0].token, ids[1][1], {"RUT": PDF + b"2"}))["errors"] == []
    approved = await approve(
        gql,
        reviewer.token,
        ids[2][1],
        "SN-1",
        "2026-11-25T05:00:00+00:00",
        "2027-11-25T05:00:00+00:00",
    )
    assert approved["errors"] == []


async def page_and_statements(
    gql: GraphQLClient, reviewer: Caller, query: str
) -> tuple[list[dict[str, Any]], int]:
    with sql_statements() as statements:
        body = await gql.execute(query, token=reviewer.token)
    edges = data_of(body)["certificateRequests"]["edges"]
    return [edge["node"] for edge in edges], len(statements)


async def test_each_request_of_a_page_answers_what_it_answers_alone(
    gql: GraphQLClient, reviewer: Caller, clock: FixedClock
) -> None:
    await three_requests(gql, reviewer, clock)
    nodes, statements = await page_and_statements(gql, reviewer, PAGE)
    assert len(nodes) == 3
    assert sorted(len(n["history"]) for n in nodes) == [1, 2, 3]
    assert [n["certificate"] is not None for n in nodes].count(True) == 1
    # Token, count, page, then one batch each for companies, documents, history and
    # certificates, and the certificates' company from the loader the page filled.
    assert statements == 7
    for node in nodes:
        alone = await gql.execute(ONE, {"id": node["id"]}, token=reviewer.token)
        assert data_of(alone)["node"] == node


async def test_a_page_loads_only_what_it_selects(
    gql: GraphQLClient, reviewer: Caller, clock: FixedClock
) -> None:
    await three_requests(gql, reviewer, clock)
    nodes, statements = await page_and_statements(
        gql, reviewer, "query { certificateRequests(first: 10) { edges { node { id status } } } }"
    )
    assert len(nodes) == 3
    assert statements == 3  # token, count, page


async def test_fields_asked_through_fragments_are_loaded_for_the_page(
    gql: GraphQLClient, reviewer: Caller, clock: FixedClock
) -> None:
    await three_requests(gql, reviewer, clock)
    nodes, statements = await page_and_statements(gql, reviewer, THROUGH_FRAGMENTS)
    assert [len(n["documents"]) for n in nodes] == [3, 3, 3]
    assert sorted(len(n["history"]) for n in nodes) == [1, 2, 3]
    assert statements == 5  # token, count, page, documents, history
