"""A page of requests loads its requests' company, documents, history and certificate for the whole
page at once, only those the query selects (through fragments too), and answers what each request
answers on its own."""

from typing import Any

from devkit.sqlcount import sql_statements
from domain.clock import FixedClock
from tests.support.factories import Caller
from tests.support.flows import three_requests
from tests.support.graphql import GraphQLClient, data_of

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
