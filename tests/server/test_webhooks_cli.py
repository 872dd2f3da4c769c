"""`certs outbox deliver` sends the webhooks too; `certs webhooks` lists and redelivers them.

The commands run in this process (tests/support/cli.py), beside the test's own connection."""

from datetime import UTC, datetime
from pathlib import Path

from domain.clock import FixedClock
from domain.enums import Role
from domain.webhooks import WebhookEventType
from events.bus import InProcessBus
from services.dependencies import Dependencies
from services.webhooks import RegisterEndpointCommand, register_endpoint
from services.webhooks_policy import WebhookPolicy
from storage.documents import DocumentStore
from tests.support.cli import run_certs_aside, run_certs_json_aside
from tests.support.factories import make_caller, make_company
from tests.support.server import server_env
from tests.support.use_cases import submit
from tests.support.webhook_receiver import WebhookReceiver


async def test_operators_deliver_list_and_redeliver_webhooks_from_the_shell(
    db: str, tmp_path: Path
) -> None:
    receiver = WebhookReceiver().start()
    try:
        admin = await make_caller(Role.ADMIN)
        customer = await make_caller(Role.CUSTOMER, await make_company())
        await register_endpoint(
            admin.principal,
            WebhookPolicy(allow_local=True),
            RegisterEndpointCommand(receiver.url, [WebhookEventType.REQUEST_SUBMITTED]),
            datetime.now(UTC),
        )
        deps = Dependencies(
            clock=FixedClock(datetime.now(UTC)),
            documents=DocumentStore(tmp_path / "documents"),
            bus=InProcessBus(),
        )
        await submit(deps, customer)
        env = server_env(tmp_path / "var", db, WEBHOOK_ALLOW_LOCAL="true")

        report = await run_certs_json_aside(env, "outbox", "deliver")
        assert report["webhooks"] == {
            "succeeded": 1,
            "retrying": 0,
            "failed": 0,
            "disabled_endpoints": 0,
        }
        [delivery] = (await run_certs_json_aside(env, "webhooks", "deliveries"))["deliveries"]
        assert delivery["status"] == "SUCCEEDED"
        assert delivery["eventType"] == "request.submitted"
        assert delivery["lastStatusCode"] == 200
        assert delivery["endpoint"]["url"] == receiver.url

        again = (await run_certs_json_aside(env, "webhooks", "redeliver", delivery["id"]))[
            "delivery"
        ]
        assert again["status"] == "PENDING"
        assert (await run_certs_json_aside(env, "outbox", "deliver"))["webhooks"]["succeeded"] == 1
        assert receiver.event_ids() == [delivery["eventId"], delivery["eventId"]]

        missing = await run_certs_aside(env, "webhooks", "redeliver", "999", check=False)
        assert missing.returncode == 1
        assert "No encontramos la entrega. (NOT_FOUND)" in missing.stderr
        failed = await run_certs_json_aside(env, "webhooks", "deliveries", "--status", "FAILED")
        assert failed == {"deliveries": []}
    finally:
        receiver.stop()
