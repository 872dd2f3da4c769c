"""What a stranger throws at a real `certs serve` process (issue 14), bounded in count and time:
each attack gets its clean answer, the server's memory stays put, and the document store holds
the files of accepted operations only."""

import asyncio
import contextlib
import hashlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from domain.calendar import local_date
from tests.support.flows import REPRESENTATIVE, legal_entity_documents, submit
from tests.support.graphql import GraphQLClient
from tests.support.operations import SUBMIT
from tests.support.refusals import assert_refused
from tests.support.server import RunningServer
from tests.support.waiting import wait_until

MiB = 1024 * 1024
SOCKETS_PER_TOKEN = 10


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def errors_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.headers["content-type"].startswith("application/json"), response.text[:200]
    assert response.headers["x-content-type-options"] == "nosniff"
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


async def init_socket(server: RunningServer, token: str) -> ClientConnection:
    ws = await connect(server.ws_url, subprotocols=["graphql-transport-ws"], max_size=None)  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    return ws


async def closed_with(ws: ClientConnection) -> tuple[int | None, str | None]:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except ConnectionClosed as closed:
        return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (None, None)


async def declared_body_answer(server: RunningServer, size: int, chunked: bool) -> bytes:
    """A `size`-byte JSON body declared by Content-Length, of which nothing is sent: the server
    must answer from the headers alone. Chunked (no length to read), a complete body just past
    the limit: the server must count it as it streams. (Bytes left unread when the server closes
    would make the kernel reset the connection, losing the answer: none are left.)"""
    host, port = server.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    length = b"Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}".encode()
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + length
        + b"\r\n\r\n"
    )
    if chunked:
        body = b'{"query": "#' + b"x" * (64 * 1024 + 10) + b'"}'
        writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 20)
    writer.close()
    return answer


async def oversized_and_nested_bodies(server: RunningServer, http: httpx.AsyncClient) -> None:
    for size, chunked in ((2 * MiB, False), (20 * MiB, False), (2 * MiB, True)):
        answer = await declared_body_answer(server, size, chunked)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"x-content-type-options: nosniff" in head.lower()
        (error,) = json.loads(body)["errors"]
        assert (error["extensions"]["code"], error["message"]) == (
            "REQUEST_TOO_LARGE",
            "La solicitud supera el tamaño máximo permitido (65536 bytes).",
        )
    nested = await http.post(
        "/graphql",
        content="[" * 30_000 + "]" * 30_000,
        headers={"Content-Type": "application/json"},
    )
    assert nested.status_code == 400
    deep_query = "{" + "viewer {" * 3000 + "}" * 3001  # under 64 KiB of body, past the text limit
    refused = await http.post("/graphql", json={"query": deep_query})
    (error,) = errors_of(refused)
    assert (error["extensions"]["code"], error["message"]) == (
        "QUERY_TOO_LARGE",
        "La consulta es demasiado larga: el máximo es de 16384 caracteres.",
    )


async def malformed_multipart(http: httpx.AsyncClient, token: str, issued_on: Any) -> None:
    documents, _ = legal_entity_documents(issued_on, tag="malformado")
    operations = json.dumps(
        {
            "query": SUBMIT,
            "variables": {"input": {"documents": documents, "legalRepresentative": REPRESENTATIVE}},
        }
    )
    file = {"0": ("rut.pdf", b"%PDF-1.4\n%malformado\n", "application/pdf")}
    for files_map, expected in (
        (
            {"0": ["variables.input.documents.0.file"], "1": ["variables.x"]},
            "Falta el archivo «1» que nombra el campo «map».",
        ),
        (
            {"0": ["variables.input.documents.9.file"]},
            "La ruta «variables.input.documents.9.file» del campo «map» no existe en la operación.",
        ),
        (
            {"0": ["variables.input.documents.0.file"] * 3},
            "El archivo «0» está referenciado más de una vez en «map».",
        ),
    ):
        response = await http.post(
            "/graphql",
            data={"operations": operations, "map": json.dumps(files_map)},
            files=file,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 400
        (error,) = errors_of(response)
        assert (error["extensions"]["code"], error["message"]) == ("MALFORMED_MULTIPART", expected)


async def bad_tokens_then_a_good_one(http: httpx.AsyncClient, token: str) -> None:
    query = {"query": "{ viewer { user { id } } }"}
    statuses = set()
    for _ in range(40):
        bad = await http.post("/graphql", json=query, headers={"Authorization": "Bearer cdt_x"})
        statuses.add(bad.status_code)
    assert 429 in statuses
    good = await http.post("/graphql", json=query, headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200
    assert good.json()["data"]["viewer"]["user"]["id"]


async def huge_websocket_message(server: RunningServer, token: str) -> None:
    ws = await init_socket(server, token)
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    message = json.dumps(
        {"id": "1", "type": "subscribe", "payload": {"query": "#" + "x" * (10 * MiB)}}
    )
    with contextlib.suppress(ConnectionClosed):
        await asyncio.wait_for(ws.send(message), 30)
    code, _ = await closed_with(ws)
    assert code == 1009  # the WebSocket protocol's "message too big"


async def many_sockets_on_one_token(server: RunningServer, token: str, attempts: int) -> None:
    held = []
    for _ in range(SOCKETS_PER_TOKEN):
        ws = await init_socket(server, token)
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        held.append(ws)
    for _ in range(attempts):
        extra = await init_socket(server, token)
        code, reason = await closed_with(extra)
        assert code == 4429
        assert (
            reason == f"Demasiadas conexiones abiertas con este token (máximo {SOCKETS_PER_TOKEN})."
        )
    for ws in held:
        await ws.close()

    # Closed sockets are no longer counted: a new one is accepted (the server notices the closes
    # as it reads them, so wait for that rather than for a fixed time).
    async def accepted_again() -> bool:
        again = await init_socket(server, token)
        try:
            message = json.loads(await asyncio.wait_for(again.recv(), 10))
        except ConnectionClosed:
            return False
        await again.close()
        return bool(message["type"] == "connection_ack")

    await wait_until(accepted_again, what="a new socket accepted once the held ones closed")


async def test_a_stranger_cannot_make_the_server_parse_store_or_remember_anything_big(
    server: RunningServer, demo: dict[str, Any], client: GraphQLClient
) -> None:
    customer = demo["tokens"]["customer"]
    today = local_date(datetime.now(UTC))
    issued_on = today - timedelta(days=5)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
        # Warm up every path once, then measure from there.
        await oversized_and_nested_bodies(server, http)
        baseline = rss_bytes(server.process.pid)

        accepted = await submit(client, customer, issued_on)
        assert accepted["errors"] == [], accepted
        # The request is in review: the same customer sends 3 files again and again.
        for round_ in range(5):
            documents, files = legal_entity_documents(issued_on, tag=f"otra-{round_}")
            body = await client.upload(
                SUBMIT,
                {"input": {"documents": documents, "legalRepresentative": REPRESENTATIVE}},
                files,
                token=customer,
            )
            assert_refused(
                body["data"]["submitCertificateRequest"],
                "REQUEST_IN_PROGRESS",
                message="Ya tienes una solicitud en trámite. Haz seguimiento al trámite.",
            )

        for _ in range(3):
            await oversized_and_nested_bodies(server, http)
            await malformed_multipart(http, customer, issued_on)
        await bad_tokens_then_a_good_one(http, customer)
        await huge_websocket_message(server, customer)
        await many_sockets_on_one_token(server, customer, attempts=300)

        growth = rss_bytes(server.process.pid) - baseline
        assert growth < 40 * MiB, f"the server grew by {growth / MiB:.1f} MiB"

    _, accepted_files = legal_entity_documents(issued_on)
    expected = {hashlib.sha256(data).hexdigest() for _, data, _ in accepted_files.values()}
    store = Path(server.env["DATA_DIR"]) / "documents"
    stored = {path.name for path in store.rglob("*") if path.is_file()}
    assert stored == expected
    assert (store.stat().st_mode & 0o777) == 0o700
    database = Path(server.env["DATA_DIR"]) / "certs.sqlite3"
    if database.exists():
        assert (os.stat(database).st_mode & 0o777) == 0o600
