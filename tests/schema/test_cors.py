"""CORS: a front end on an allowed origin may send the headers GraphQL clients send and read the
request id; any other origin gets no CORS headers at all."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.clock import FixedClock
from server.settings import Settings
from tests.support.app import in_process_app

FRONT_END = "https://app.ejemplo.co"
CLIENT_HEADERS = (
    "authorization,content-type,traceparent,x-request-id,"
    "apollographql-client-name,apollographql-client-version"
)


@pytest.fixture
async def client(tmp_path: Path, db: str, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(data_dir=tmp_path / "var", database_url=db, allowed_origins=(FRONT_END,))
    app = in_process_app(settings, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": CLIENT_HEADERS,
    }


async def test_the_preflight_allows_the_headers_graphql_clients_send(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options("/graphql", headers=preflight(FRONT_END))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == FRONT_END
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert set(CLIENT_HEADERS.split(",")) <= allowed
    assert "access-control-allow-credentials" not in response.headers


async def test_a_foreign_origin_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight("https://malicioso.example"))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_the_request_id_is_exposed_to_the_page(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": FRONT_END}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == FRONT_END
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code", "message"),
    [
        # Refused by the body limit before GraphQL runs.
        (
            {"json": {"query": "#" + "x" * 70_000 + "\n{ __typename }"}},
            413,
            "REQUEST_TOO_LARGE",
            "La solicitud supera el tamaño máximo permitido (65536 bytes).",
        ),
        # Refused by the GraphQL view with a code of its own (limits).
        (
            {"data": {"operations": "{}", "map": "{}"}, "files": {"0": ("a.pdf", b"%PDF-1.4")}},
            400,
            "MALFORMED_MULTIPART",
            "El archivo «0» no aparece en el campo «map».",
        ),
        # Refused by the GraphQL view for Strawberry (GraphQL over HTTP).
        (
            {"content": b"query=1", "headers": {"Content-Type": "text/plain"}},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "Tipo de contenido no admitido: usa application/json o multipart/form-data.",
        ),
    ],
)
async def test_every_refusal_carries_cors_the_request_id_and_the_security_headers(
    client: httpx.AsyncClient,
    request_kwargs: dict[str, Any],
    status: int,
    code: str,
    message: str,
) -> None:
    headers = {
        "Origin": FRONT_END,
        "X-Request-ID": "front-7",
        "Authorization": "Bearer x",
        **request_kwargs.pop("headers", {}),
    }
    response = await client.post("/graphql", headers=headers, **request_kwargs)
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == FRONT_END
    assert response.headers["x-request-id"] == "front-7"
    assert response.headers["x-content-type-options"] == "nosniff"
    [error] = response.json()["errors"]
    assert (error["extensions"]["code"], error["message"]) == (code, message)
