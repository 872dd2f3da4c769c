"""The flow against a real `certs serve` process: HTTP, multipart uploads, downloads and a live
subscription over a real WebSocket, with the tokens `certs demo` prints."""

import asyncio
import json
import mailbox
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from domain.calendar import local_date
from tests.support.cli import run_certs_json
from tests.support.flows import approve, reject, resubmit, submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.live import new_company_customer
from tests.support.operations import TRACKING
from tests.support.server import RunningServer, SharedServer
from tests.support.waiting import wait_until

#: The NIT (without its check digit) of the flow test's own company.
BASE = "812345670"

WATCH = """
subscription Watch($id: ID) {
  certificateRequestStatusChanged(requestId: $id) {
    fromStatus toStatus note actor { role }
    request { id status statusLabel observations }
  }
}
"""


async def open_subscription(
    server: RunningServer, token: str, variables: dict[str, Any]
) -> ClientConnection:
    ws = await connect(server.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": WATCH, "variables": variables}}
        )
    )
    # The positive marker: the server answers a later `ping` only once it has handled the
    # subscribe before it (and started its subscription), so no change can be missed after this.
    await ws.send(json.dumps({"type": "ping"}))
    while (message := json.loads(await asyncio.wait_for(ws.recv(), 10))) != {"type": "pong"}:
        assert message == {"type": "ping"}, message  # the server's keep-alive, nothing else
        await ws.send(json.dumps({"type": "pong"}))
    return ws


async def next_event(ws: ClientConnection) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["type"] == "next", message
    event: dict[str, Any] = message["payload"]["data"]["certificateRequestStatusChanged"]
    return event


async def test_submit_reject_resubmit_approve_against_a_real_server(
    shared_server: SharedServer,
) -> None:
    """On the shared server, for a company of the test's own (its emails are the ones to its
    contact); the only test there that approves."""
    server, reviewer = shared_server.server, shared_server.demo["tokens"]["reviewer"]
    customer = await asyncio.to_thread(new_company_customer, server.env, BASE, run_certs_json)
    today = local_date(datetime.now(UTC))
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        await request_flow(server, GraphQLClient(http), customer, reviewer, today)

    # With no SMTP_URL the server's own worker writes the emails to the Maildir under DATA_DIR.
    subjects = await maildir_subjects(
        Path(server.env["DATA_DIR"]) / "mail", f"contacto@{BASE}.example.co", expected=4
    )
    assert subjects.count("Rechazo solicitud de certificado digital") == 1
    assert len(subjects) == 4


async def request_flow(
    server: RunningServer, client: GraphQLClient, customer: str, reviewer: str, today: date
) -> None:
    """Submitted, downloaded, rejected, sent again and approved, each change heard live."""

    submitted = await submit(client, customer, issued_on=today - timedelta(days=5))
    assert submitted["errors"] == []
    request_id = submitted["request"]["id"]

    # The document is downloadable by its owner, with the bytes that were uploaded.
    document = submitted["request"]["documents"][0]
    assert document["downloadUrl"].startswith(server.base_url)
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(
            document["downloadUrl"], headers={"Authorization": f"Bearer {customer}"}
        )
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        assert len(response.content) == document["sizeBytes"]

    ws = await open_subscription(server, customer, {"id": request_id})
    try:
        rut = next(d for d in submitted["request"]["documents"] if d["kind"] == "RUT")
        rejected = await reject(
            client, reviewer, request_id, "RUT desactualizado.", {rut["id"]: "Súbelo de nuevo."}
        )
        assert rejected["errors"] == []
        event = await next_event(ws)
        assert (event["fromStatus"], event["toStatus"]) == ("IN_REVIEW", "REJECTED")
        assert event["request"]["statusLabel"] == "Rechazado"
        assert event["request"]["observations"] == "RUT desactualizado."
        assert event["actor"] == {"role": "REVIEWER"}

        again = await resubmit(client, customer, request_id, {"RUT": b"%PDF-1.4\n% nuevo\n"})
        assert again["errors"] == []
        assert (await next_event(ws))["toStatus"] == "IN_REVIEW"

        start = datetime.now(UTC) + timedelta(days=1)
        approved = await approve(
            client,
            reviewer,
            request_id,
            "E2E-0001",
            start.isoformat(),
            (start + timedelta(days=365)).isoformat(),
        )
        assert approved["errors"] == []
        event = await next_event(ws)
        assert event["request"]["statusLabel"] == "Completado"
    finally:
        await ws.close()

    # It starts tomorrow: Emitido until then, and the notice says from when it can be used.
    screen = data_of(await client.execute(TRACKING, token=customer))["certificateTracking"]
    assert screen["certificate"]["statusLabel"] == "Emitido"
    assert screen["notices"][0]["code"] == "CERTIFICATE_ISSUED"


def read_subjects(path: Path, to: str) -> list[str]:
    """The subjects of the messages to `to` in the Maildir."""
    if not path.exists():
        return []
    return [
        str(message["Subject"])
        for message in mailbox.Maildir(path, create=False)
        if to in str(message["To"])
    ]


async def maildir_subjects(path: Path, to: str, expected: int, within: float = 15) -> list[str]:
    """The subjects of the messages to `to` once `expected` of them arrived."""
    await wait_until(
        lambda: len(read_subjects(path, to)) >= expected, within=within, what=f"{expected} emails"
    )
    return read_subjects(path, to)


async def test_a_socket_without_a_valid_token_is_refused(shared_server: SharedServer) -> None:
    async with connect(shared_server.server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_health_and_graphiql_are_served(shared_server: SharedServer) -> None:
    async with httpx.AsyncClient(base_url=shared_server.server.base_url, timeout=10) as http:
        health = await http.get("/health")
        ready = await http.get("/ready")
        page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert health.json() == {"status": "ok", "database": "ok", "redis": "disabled"}
    assert (ready.status_code, ready.json()["status"]) == (200, "ok")
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
