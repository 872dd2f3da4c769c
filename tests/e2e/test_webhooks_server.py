"""Webhooks from a real `certs serve` process: registered over HTTP, delivered by the server's
own worker right after the change commits, to a real receiver on loopback."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.calendar import local_date
from tests.support.flows import submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.server import RunningServer, certs_json, running_server, server_env
from tests.support.waiting import wait_until
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.e2e

REGISTER = """
mutation($url: String!) { registerWebhookEndpoint(input: {
  url: $url, eventTypes: [REQUEST_SUBMITTED] }) { secret errors { code message } } }"""


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[RunningServer]:
    env = server_env(tmp_path / "var", database_url, WEBHOOK_ALLOW_LOCAL="true")
    with running_server(env) as running:
        yield running


async def test_the_server_delivers_a_signed_event_right_after_the_change(
    server: RunningServer, client: GraphQLClient
) -> None:
    demo: dict[str, Any] = certs_json(server.env, "demo")
    receiver = WebhookReceiver().start()
    try:
        registered = data_of(
            await client.execute(REGISTER, {"url": receiver.url}, demo["tokens"]["admin"])
        )["registerWebhookEndpoint"]
        assert registered["errors"] == []
        submitted = await submit(client, demo["tokens"]["customer"], local_date(datetime.now(UTC)))
        assert submitted["errors"] == []

        await wait_until(lambda: receiver.received, what="the server's webhook")
        [received] = receiver.received
    finally:
        receiver.stop()
    assert received.json["type"] == "request.submitted"
    assert received.json["data"]["request"]["id"] == submitted["request"]["id"]
    assert received.headers["certificados-signature"].startswith("t=")
