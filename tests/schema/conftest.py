"""Fixtures of the API tests; the app over an in-memory transport (`app`, `http`, `gql`) is in
tests/conftest.py."""

from datetime import timedelta
from typing import Any

import pytest

from domain.calendar import local_date
from tests.support.factories import DEFAULT_NOW, Caller
from tests.support.flows import submit
from tests.support.graphql import GraphQLClient


@pytest.fixture
async def in_review(gql: GraphQLClient, customer: Caller) -> dict[str, Any]:
    """The customer's request, just submitted (its chamber certificate issued five days ago)."""
    submitted = await submit(
        gql, customer.token, issued_on=local_date(DEFAULT_NOW) - timedelta(days=5)
    )
    assert submitted["errors"] == []
    request: dict[str, Any] = submitted["request"]
    return request
