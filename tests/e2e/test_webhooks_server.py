"""Webhooks from a real `certs serve` process: registered over HTTP, delivered by the server's
own worker right after the change commits, to a real receiver on loopback."""

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from domain.calendar import local_date
from tests.support.cli import run_certs_json
from tests.support.flows import submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.live import new_company_customer
from tests.support.server import SharedServer
from tests.support.waiting import wait_until
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.e2e

REGISTER = """
mutation($url: String!, $company: ID) { registerWebhookEndpoint(input: {
  url: $url, eventTypes: [REQUEST_SUBMITTED], companyId: $company }) {
    secret errors { code message } } }"""

#: The NIT (without its check digit) of the test's own company.
BASE = "812345671"


async def test_the_server_delivers_a_signed_event_right_after_the_change(
    shared_server: SharedServer,
) -> None:
    """On the shared server (WEBHOOK_ALLOW_LOCAL=true): the operator registers an endpoint for a
    company of the test's own, so that no other test's change reaches it."""
    server, admin = shared_server.server, shared_server.demo["tokens"]["admin"]
    customer = await asyncio.to_thread(new_company_customer, server.env, BASE, run_certs_json)
    receiver = WebhookReceiver().start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
            client = GraphQLClient(http)
            viewer = data_of(await client.execute("{ viewer { company { id } } }", token=customer))
            variables = {"url": receiver.url, "company": viewer["viewer"]["company"]["id"]}
            registered = data_of(await client.execute(REGISTER, variables, admin))[
                "registerWebhookEndpoint"
            ]
            assert registered["errors"] == []
            submitted = await submit(client, customer, local_date(datetime.now(UTC)))
            assert submitted["errors"] == []

        await wait_until(lambda: receiver.received, what="the server's webhook")
        [received] = receiver.received
    finally:
        receiver.stop()
    assert received.json["type"] == "request.submitted"
    assert received.json["data"]["request"]["id"] == submitted["request"]["id"]
    assert received.headers["certificados-signature"].startswith("t=")
