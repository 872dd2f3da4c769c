"""Limits before work: what a stranger sends is refused before the server parses, stores or
remembers it, with a JSON `errors` body and the security headers (issue 14)."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.clock import FixedClock
from server.app import CertsStarlette
from server.settings import Settings
from tests.support.app import in_process_app
from tests.support.factories import Caller
from tests.support.graphql import multipart

KiB = 1024


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors[0]


def assert_security_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_a_json_body_past_64_kib_is_refused_with_413_before_it_is_read(
    http: httpx.AsyncClient,
) -> None:
    comment = "#" + "x" * (2 * 1024 * KiB)
    response = await http.post("/graphql", json={"query": f"{comment}\n{{ __typename }}"})
    assert response.status_code == 413
    error = error_of(response)
    assert error["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert error["message"] == "La solicitud supera el tamaño máximo permitido (65536 bytes)."
    assert_security_headers(response)


async def test_a_get_query_string_past_the_limit_is_refused_with_413(
    tmp_path: Path, db: str, clock: FixedClock
) -> None:
    # httpx refuses to send a URL past 64 KiB itself: the limit is lowered to show the rule.
    settings = Settings(data_dir=tmp_path / "var", database_url=db, max_json_request_bytes=8 * KiB)
    transport = httpx.ASGITransport(app=in_process_app(settings, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        short = await http.get("/graphql", params={"query": "{ __typename }"})
        long = await http.get("/graphql", params={"query": "{ __typename }" + " " * (9 * KiB)})
    assert short.status_code == 200
    assert long.status_code == 413
    error = error_of(long)
    assert (error["extensions"]["code"], error["message"]) == (
        "REQUEST_TOO_LARGE",
        "La solicitud supera el tamaño máximo permitido (8192 bytes).",
    )


async def test_a_query_text_past_16_kib_is_refused_before_parsing(http: httpx.AsyncClient) -> None:
    comment = "#" + "x" * (20 * KiB)
    response = await http.post("/graphql", json={"query": f"{comment}\n{{ __typename }}"})
    error = error_of(response)
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"
    assert error["message"] == "La consulta es demasiado larga: el máximo es de 16384 caracteres."
    assert "data" not in response.json()  # a request error: nothing ran (GraphQL over HTTP)


async def test_uploads_keep_their_larger_limit_on_multipart_only(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    data, uploads, headers = multipart(1, token=customer.token)
    uploads = {"0": ("grande.pdf", b"%PDF-1.4\n" + b"0" * (200 * KiB), "application/pdf")}
    response = await http.post("/graphql", data=data, files=uploads, headers=headers)
    assert response.status_code == 200  # 200 KiB: past the JSON limit, well under the upload one


async def test_a_valid_token_passes_after_40_bad_ones_from_its_address(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    query = {"query": "{ viewer { user { id } } }"}
    bad = {"Authorization": "Bearer cdt_adivinando"}
    answers = [
        (await http.post("/graphql", json=query, headers=bad)).status_code for _ in range(40)
    ]
    assert answers[-1] == 429
    refused = await http.post("/graphql", json=query, headers=bad)
    error = error_of(refused)
    assert (error["extensions"]["code"], error["message"]) == (
        "TOO_MANY_REQUESTS",
        "Demasiados intentos de autenticación fallidos. Espera un minuto.",
    )
    valid = await http.post(
        "/graphql", json=query, headers={"Authorization": f"Bearer {customer.token}"}
    )
    assert valid.status_code == 200
    assert valid.json()["data"]["viewer"]["user"]["id"]


async def bad_tokens_from(http: httpx.AsyncClient, forwarded_for: str, count: int) -> int:
    status = 0
    for _ in range(count):
        response = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer cdt_malo", "X-Forwarded-For": forwarded_for},
        )
        status = response.status_code
    return status


async def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
    tmp_path: Path, db: str, clock: FixedClock
) -> None:
    for trusted, expected in (((), 429), (("127.0.0.1",), 200)):
        settings = Settings(data_dir=tmp_path / "var", database_url=db, trusted_proxies=trusted)
        app = in_process_app(settings, clock=clock)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert await bad_tokens_from(http, "203.0.113.1", 21) == 429
            # Another "client" behind the same peer: its own count only if the peer is trusted.
            assert await bad_tokens_from(http, "203.0.113.2", 1) == expected


async def test_authenticated_answers_are_never_cached(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": "{ viewer { user { id } } }"},
        headers={"Authorization": f"Bearer {customer.token}"},
    )
    assert response.headers["cache-control"] == "no-store"
    assert_security_headers(response)


async def test_a_500_carries_the_security_headers() -> None:
    async def boom(request: Request) -> Response:
        raise RuntimeError("boom")

    app = CertsStarlette(routes=[Route("/boom", boom)])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)


async def test_the_graphiql_page_has_its_own_content_security_policy(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "connect-src 'self'" in policy


def upload_form(files_map: Any, files: int, token: str) -> tuple[Any, Any, Any]:
    data, uploads, headers = multipart(1, token=token)
    data["map"] = json.dumps(files_map) if not isinstance(files_map, str) else files_map
    uploads = {str(i): (f"f{i}.pdf", b"%PDF-1.4\n", "application/pdf") for i in range(files)}
    return data, uploads, headers


@pytest.mark.parametrize(
    ("files_map", "files", "message"),
    [
        (
            {"0": ["variables.input.documents.0.file"], "1": ["variables.input.documents.0.file"]},
            1,
            "Falta el archivo «1» que nombra el campo «map».",
        ),
        (
            {"0": ["variables.input.documents.7.file"]},
            1,
            "La ruta «variables.input.documents.7.file» del campo «map» no existe en la operación.",
        ),
        (
            {"0": ["variables.input.documents.x.file"]},
            1,
            "La ruta «variables.input.documents.x.file» del campo «map» no existe en la operación.",
        ),
        (
            {"0": ["variables.input.documents.0.file"] * 3},
            1,
            "El archivo «0» está referenciado más de una vez en «map».",
        ),
        ("{no es json", 1, "El campo «map» no es JSON válido."),
        ([1, 2], 1, "El campo «map» debe ser un objeto JSON."),
        (
            {"0": ["variables.input.documents.0.file"]},
            2,
            "El archivo «1» no aparece en el campo «map».",
        ),
    ],
)
async def test_a_malformed_multipart_request_gets_a_400_naming_the_problem(
    http: httpx.AsyncClient, customer: Caller, files_map: Any, files: int, message: str
) -> None:
    data, uploads, headers = upload_form(files_map, files, customer.token)
    response = await http.post("/graphql", data=data, files=uploads, headers=headers)
    assert response.status_code == 400
    error = error_of(response)
    assert error["extensions"]["code"] == "MALFORMED_MULTIPART"
    assert error["message"] == message
    assert_security_headers(response)


async def test_a_deeply_nested_json_body_is_a_400_not_a_500(http: httpx.AsyncClient) -> None:
    body = "[" * 30_000 + "]" * 30_000  # 60 kB: under the body limit
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_of(response)["message"] == "El cuerpo JSON está anidado demasiado profundo."
