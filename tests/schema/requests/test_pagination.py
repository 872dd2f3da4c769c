"""Relay pagination of certificateRequests: the reviewers' queue is worked oldest first; other
lists are newest first; cursors continue exactly where the previous page ended."""

import base64
from datetime import date, timedelta
from typing import Any

import pytest

from domain.clock import FixedClock
from domain.enums import Role
from models import Company
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import pdf
from tests.support.flows import reject, resubmit, submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.operations import REQUESTS

TODAY = date(2026, 11, 24)
COMPANIES = 5


async def submit_for_new_companies(
    gql: GraphQLClient, clock: FixedClock, step: timedelta
) -> list[str]:
    """One request for each of five new companies, `step` apart; their ids, oldest first."""
    ids = []
    for index in range(COMPANIES):
        caller = await make_caller(
            Role.CUSTOMER, await make_company(name=f"Empresa {index} S.A.S.")
        )
        payload = await submit(gql, caller.token, issued_on=TODAY - timedelta(days=3))
        assert payload["errors"] == []
        ids.append(payload["request"]["id"])
        clock.advance(step)
    return ids


@pytest.fixture
async def oldest_first(gql: GraphQLClient, clock: FixedClock) -> list[str]:
    return await submit_for_new_companies(gql, clock, timedelta(minutes=37, microseconds=250))


async def all_pages(
    gql: GraphQLClient, caller: Caller, first: int, **arguments: Any
) -> list[dict[str, Any]]:
    """Every page, following endCursor until hasNextPage is false."""
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"first": first, "after": after, **arguments}
        page = data_of(await gql.execute(REQUESTS, variables, token=caller.token))[
            "certificateRequests"
        ]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        assert len(pages) <= COMPANIES, "pagination does not end"
        after = page["pageInfo"]["endCursor"]


def ids_of(pages: list[dict[str, Any]]) -> list[list[str]]:
    return [[edge["node"]["id"] for edge in page["edges"]] for page in pages]


def assert_well_formed(pages: list[dict[str, Any]], total: int) -> None:
    for index, page in enumerate(pages):
        info = page["pageInfo"]
        cursors = [edge["cursor"] for edge in page["edges"]]
        assert page["totalCount"] == total
        assert (info["startCursor"], info["endCursor"]) == (cursors[0], cursors[-1])
        assert info["hasPreviousPage"] is (index > 0)
        assert info["hasNextPage"] is (index < len(pages) - 1)
    every_cursor = [edge["cursor"] for page in pages for edge in page["edges"]]
    assert len(set(every_cursor)) == len(every_cursor)


async def test_the_review_queue_is_oldest_first_across_pages(
    gql: GraphQLClient, reviewer: Caller, oldest_first: list[str]
) -> None:
    pages = await all_pages(gql, reviewer, 2, status="IN_REVIEW")
    assert ids_of(pages) == [oldest_first[0:2], oldest_first[2:4], oldest_first[4:5]]
    assert_well_formed(pages, total=COMPANIES)
    assert pages[-1]["pageInfo"]["hasNextPage"] is False


async def test_without_a_status_the_list_is_newest_first_across_pages(
    gql: GraphQLClient, reviewer: Caller, oldest_first: list[str]
) -> None:
    newest_first = oldest_first[::-1]
    pages = await all_pages(gql, reviewer, 2)
    assert ids_of(pages) == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]
    assert_well_formed(pages, total=COMPANIES)


@pytest.mark.parametrize("status", [None, "IN_REVIEW"])
async def test_requests_submitted_at_the_same_instant_are_neither_repeated_nor_skipped(
    gql: GraphQLClient, reviewer: Caller, clock: FixedClock, status: str | None
) -> None:
    ids = await submit_for_new_companies(gql, clock, timedelta(0))
    pages = await all_pages(gql, reviewer, 2, status=status)
    seen = [request_id for page in ids_of(pages) for request_id in page]
    # Ties on submittedAt are broken by creation order: ascending in the queue, else descending.
    assert seen == (ids if status == "IN_REVIEW" else ids[::-1])
    assert_well_formed(pages, total=COMPANIES)


@pytest.mark.parametrize("first", [1, 3, 5, 6])
async def test_every_page_size_walks_the_queue_exactly_once(
    gql: GraphQLClient, reviewer: Caller, oldest_first: list[str], first: int
) -> None:
    pages = await all_pages(gql, reviewer, first, status="IN_REVIEW")
    assert [request_id for page in ids_of(pages) for request_id in page] == oldest_first
    assert len(pages) == -(-COMPANIES // first)
    assert_well_formed(pages, total=COMPANIES)


async def test_a_resubmitted_request_goes_back_to_the_end_of_the_queue(
    gql: GraphQLClient, reviewer: Caller, clock: FixedClock, oldest_first: list[str]
) -> None:
    oldest = oldest_first[0]
    assert (await reject(gql, reviewer.token, oldest, "Falta la firma.", {}))["errors"] == []
    pages = await all_pages(gql, reviewer, 2, status="IN_REVIEW")
    assert [i for page in ids_of(pages) for i in page] == oldest_first[1:]
    assert_well_formed(pages, total=COMPANIES - 1)

    owner = data_of(
        await gql.execute(
            "query($id: ID!) { node(id: $id) { ... on CertificateRequest { company { id } } } }",
            {"id": oldest},
            token=reviewer.token,
        )
    )["node"]["company"]["id"]
    rejected = data_of(await gql.execute(REQUESTS, {"companyId": owner}, token=reviewer.token))[
        "certificateRequests"
    ]
    assert [edge["node"]["status"] for edge in rejected["edges"]] == ["REJECTED"]

    clock.advance(timedelta(hours=1))
    # The company resubmits: it is now the most recent submission, hence last in the queue.
    customer = await make_caller_for_company_of(owner)
    resubmitted = await resubmit(gql, customer.token, oldest, {"RUT": pdf("rut-v2")})
    assert resubmitted["errors"] == []
    pages = await all_pages(gql, reviewer, 2, status="IN_REVIEW")
    assert [i for page in ids_of(pages) for i in page] == [*oldest_first[1:], oldest]
    assert_well_formed(pages, total=COMPANIES)


async def make_caller_for_company_of(company_global_id: str) -> Caller:
    pk = int(base64.urlsafe_b64decode(company_global_id).decode().partition(":")[2])
    return await make_caller(Role.CUSTOMER, await Company.get(id=pk))


async def test_a_company_user_pages_through_its_own_requests_only(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, oldest_first: list[str]
) -> None:
    pages = await all_pages(gql, customer, 2)
    assert ids_of(pages) == [[]]
    assert pages[0]["totalCount"] == 0
    assert pages[0]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }
