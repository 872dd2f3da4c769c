"""Abusive or hostile requests get a clean refusal: uploads, query cost, batching, introspection."""

from datetime import date
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.datastructures import UploadFile

from domain.clock import FixedClock
from schema.root import build_schema
from server.settings import Settings
from tests.support.app import in_process_app
from tests.support.factories import Caller
from tests.support.flows import legal_entity_documents, submit
from tests.support.graphql import GraphQLClient, multipart
from tests.support.operations import SUBMIT
from tests.support.refusals import assert_user_error


async def test_a_multipart_request_without_authorization_is_refused_before_parsing(
    http: httpx.AsyncClient,
) -> None:
    data, uploads, headers = multipart(1, token=None)
    response = await http.post("/graphql", data=data, files=uploads, headers=headers)
    assert response.status_code == 400
    assert "Authorization" in response.text


async def test_too_many_files_in_one_request_are_refused(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    data, uploads, headers = multipart(11, token=customer.token)
    response = await http.post("/graphql", data=data, files=uploads, headers=headers)
    assert response.status_code == 400


async def test_uploaded_files_are_closed_even_when_the_mutation_never_reads_them(
    gql: GraphQLClient, reviewer: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str | None] = []
    original = UploadFile.close

    async def recording_close(self: UploadFile) -> None:
        closed.append(self.filename)
        await original(self)

    monkeypatch.setattr(UploadFile, "close", recording_close)
    documents, files = legal_entity_documents(date(2026, 11, 20))
    body = await gql.upload(
        SUBMIT,
        {
            "input": {
                "documents": documents,
                "legalRepresentative": {"name": "L", "idType": "CC", "idNumber": "1020304050"},
            }
        },
        files,
        token=reviewer.token,  # a reviewer may not submit: refused before any file is read
    )
    assert_user_error(
        body["data"]["submitCertificateRequest"]["errors"],
        code="FORBIDDEN",
        message="Tu rol no permite enviar solicitudes de certificado.",
    )
    assert sorted(name for name in closed if name) == sorted(name for name, _, _ in files.values())


async def test_a_query_whose_lists_multiply_beyond_the_cost_limit_is_refused(
    gql: GraphQLClient, reviewer: Caller
) -> None:
    query = (
        "{ certificateRequests(first: 100) { edges { node { id documents { id } "
        "company { certificates { id history { at } } certificateRequests(first: 100) "
        "{ edges { node { id history { at } } } } } } } } }"
    )
    body = await gql.execute(query, token=reviewer.token)
    assert "data" not in body  # refused before execution: a request error
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 153_701}
    assert error["message"] == (
        "La consulta es demasiado costosa (153701 > 20000). "
        "Pide menos elementos por página o menos campos anidados."
    )


async def test_a_reviewer_queue_page_of_fifty_is_within_the_cost_limit(
    gql: GraphQLClient, reviewer: Caller, customer: Caller
) -> None:
    await submit(gql, customer.token, issued_on=date(2026, 11, 20))
    query = (
        "{ certificateRequests(status: IN_REVIEW, first: 50) { totalCount edges { node { id "
        "company { nit legalName } documents { id kind fileName downloadUrl } "
        "history { toStatus at actor { name } } certificate { serialNumber } } } } }"
    )
    body = await gql.execute(query, token=reviewer.token)
    assert "errors" not in body
    assert body["data"]["certificateRequests"]["totalCount"] == 1


async def test_batched_operations_are_not_accepted(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    response = await http.post(
        "/graphql",
        json=[{"query": "{ viewer { user { id } } }"}] * 2,
        headers={"Authorization": f"Bearer {customer.token}"},
    )
    assert response.status_code == 400


async def test_introspection_can_be_switched_off_for_production(
    tmp_path: Any, db: str, clock: FixedClock, customer: Caller
) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=db, introspection=False)
    app: Starlette = in_process_app(settings, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ __schema { types { name } } }"},
            headers={"Authorization": f"Bearer {customer.token}"},
        )
    assert "introspection has been disabled" in response.json()["errors"][0]["message"]
    assert build_schema(introspection=False) is not None


async def test_responses_carry_security_headers(http: httpx.AsyncClient) -> None:
    response = await http.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_cors_answers_only_the_allowed_origins(
    tmp_path: Any, db: str, clock: FixedClock
) -> None:
    settings = Settings(
        data_dir=tmp_path / "var", database_url=db, allowed_origins=("https://app.ejemplo.co",)
    )
    app = in_process_app(settings, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        }
        allowed = await client.options(
            "/graphql", headers={"Origin": "https://app.ejemplo.co", **preflight}
        )
        foreign = await client.options(
            "/graphql", headers={"Origin": "https://malicioso.example", **preflight}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.ejemplo.co"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in foreign.headers


async def test_a_50_mb_upload_is_refused_with_413(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    data, _, headers = multipart(1, token=customer.token)
    huge = {"0": ("enorme.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024), "application/pdf")}
    response = await http.post("/graphql", data=data, files=huge, headers=headers)
    assert response.status_code == 413


async def test_repeated_failed_authentication_is_rate_limited_per_address(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    query = {"query": "{ viewer { user { id } } }"}
    for _ in range(20):
        response = await http.post(
            "/graphql", json=query, headers={"Authorization": "Bearer cdt_adivinando"}
        )
        assert response.status_code == 200
    blocked = await http.post(
        "/graphql", json=query, headers={"Authorization": "Bearer cdt_adivinando"}
    )
    assert blocked.status_code == 429
    # A valid token from the same address (an office behind one NAT) is never refused.
    valid = await http.post(
        "/graphql", json=query, headers={"Authorization": f"Bearer {customer.token}"}
    )
    assert valid.status_code == 200
    assert valid.json()["data"]["viewer"]["user"]["id"]
