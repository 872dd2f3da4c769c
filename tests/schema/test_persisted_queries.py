"""Persisted queries over HTTP: the not-found round trip, GET by hash, a hash that does not match
its query, the bounded memory, the server's other modes, and documents asked for by id
(`documentId`, `doc_id`, `id`) by POST and GET."""

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest

from domain.clock import FixedClock
from server.persisted_queries import PersistedQueries, documents_in, register
from server.settings import Settings
from tests.support.app import in_process_app
from tests.support.factories import Caller

QUERY = "query Mine { viewer { user { email } } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()


def persisted(digest: str = HASH) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_a_hash_is_unknown_until_sent_with_its_query_then_works_by_get(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    unknown = await http.post(
        "/graphql", json={"extensions": persisted()}, headers=customer.headers
    )
    assert unknown.status_code == 200
    [error] = unknown.json()["errors"]
    assert (error["extensions"]["code"], error["message"]) == (
        "PERSISTED_QUERY_NOT_FOUND",
        "La operación persistida no se conoce todavía: envíala completa con su hash.",
    )
    assert "data" not in unknown.json()

    full = await http.post(
        "/graphql", json={"query": QUERY, "extensions": persisted()}, headers=customer.headers
    )
    assert full.json()["data"]["viewer"]["user"]["email"] == customer.user.email

    by_get = await http.get(
        "/graphql",
        params={"extensions": orjson.dumps(persisted()).decode(), "operationName": "Mine"},
        headers={**customer.headers, "Accept": "*/*"},
    )
    assert by_get.status_code == 200
    assert by_get.json()["data"]["viewer"]["user"]["email"] == customer.user.email


async def test_a_hash_that_does_not_match_its_query_is_refused(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": QUERY, "extensions": persisted("0" * 64)},
        headers={**customer.headers, "Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert error["message"] == "El sha256Hash no corresponde a la consulta."


async def test_the_memory_of_queries_is_bounded() -> None:
    from strawberry.http import GraphQLRequestData

    memory = PersistedQueries("apq", cache_size=2)
    queries = [f"query Q{i} {{ __typename }}" for i in range(3)]
    for query in queries:
        digest = hashlib.sha256(query.encode()).hexdigest()
        await memory.resolve(GraphQLRequestData(query, None, None, persisted(digest)))
    first = hashlib.sha256(queries[0].encode()).hexdigest()
    last = hashlib.sha256(queries[2].encode()).hexdigest()
    forgotten = await memory.resolve(GraphQLRequestData(None, None, None, persisted(first)))
    kept = await memory.resolve(GraphQLRequestData(None, None, None, persisted(last)))
    assert getattr(forgotten, "errors", None)
    assert getattr(kept, "query", None) == queries[2]


@pytest.mark.parametrize(
    ("mode", "code", "message"),
    [
        (
            "off",
            "PERSISTED_QUERY_NOT_SUPPORTED",
            "Este servidor no admite consultas persistidas: envía la consulta completa.",
        ),
        (
            "only",
            "PERSISTED_QUERY_NOT_ALLOWED",
            "Este servidor solo ejecuta operaciones registradas.",
        ),
    ],
)
async def test_the_other_modes_refuse(
    tmp_path: Path,
    db: str,
    clock: FixedClock,
    customer: Caller,
    mode: str,
    code: str,
    message: str,
) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=db, persisted_queries=mode)
    app = in_process_app(settings, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.post(
            "/graphql", json={"query": QUERY, "extensions": persisted()}, headers=customer.headers
        )
    (error,) = response.json()["errors"]
    assert (error["extensions"]["code"], error["message"]) == (code, message)


def test_an_unknown_mode_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="PERSISTED_QUERIES"):
        PersistedQueries("sometimes")


MD5 = hashlib.md5(QUERY.encode(), usedforsecurity=False).hexdigest()
SHA1 = hashlib.sha1(QUERY.encode(), usedforsecurity=False).hexdigest()
MUTATION = "mutation Touch { __typename }"
MUTATION_MD5 = hashlib.md5(MUTATION.encode(), usedforsecurity=False).hexdigest()


@pytest.fixture
async def trusted(tmp_path: Path, db: str, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    """A server in trusted-documents mode, with a relay-style (MD5) and a codegen-style (SHA-1)
    manifest registered."""
    await register(documents_in(orjson.dumps({MD5: QUERY, MUTATION_MD5: MUTATION}).decode()))
    await register(documents_in(orjson.dumps({SHA1: QUERY}).decode()))
    settings = Settings(data_dir=tmp_path / "var", database_url=db, persisted_queries="only")
    transport = httpx.ASGITransport(app=in_process_app(settings, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize(
    "body",
    [
        {"documentId": f"sha256:{HASH}"},  # the GraphQL-over-HTTP appendix
        {"documentId": SHA1},  # graphql-codegen's client preset, sha1 hashes
        {"doc_id": MD5, "query": None},  # Relay's network layer with persistConfig
        {"id": MD5},  # older Relay network layers
    ],
)
async def test_a_registered_document_runs_by_the_id_a_client_sends_by_post(
    trusted: httpx.AsyncClient, customer: Caller, body: dict[str, object]
) -> None:
    response = await trusted.post(
        "/graphql", json={**body, "operationName": "Mine"}, headers=customer.headers
    )
    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["user"]["email"] == customer.user.email


@pytest.mark.parametrize("name", ["documentId", "doc_id"])
async def test_a_registered_document_runs_by_its_id_by_get(
    trusted: httpx.AsyncClient, customer: Caller, name: str
) -> None:
    response = await trusted.get(
        "/graphql", params={name: MD5}, headers={**customer.headers, "Accept": "text/html, */*"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["user"]["email"] == customer.user.email


async def test_a_registered_mutation_is_refused_by_get(
    trusted: httpx.AsyncClient, customer: Caller
) -> None:
    response = await trusted.get(
        "/graphql", params={"documentId": MUTATION_MD5}, headers=customer.headers
    )
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            {"documentId": "0" * 32},
            "PERSISTED_QUERY_NOT_ALLOWED",
            "Este servidor solo ejecuta operaciones registradas.",
        ),
        (
            {"documentId": "md5:" + MD5},
            "BAD_REQUEST",
            "`documentId` no es un identificador de documento válido: usa sha256:<hex>, un hash "
            "hexadecimal o el id que le dio el manifiesto.",
        ),
        (
            {"documentId": MD5, "query": QUERY + " "},
            "PERSISTED_QUERY_HASH_MISMATCH",
            "El documentId no corresponde a la consulta.",
        ),
    ],
)
async def test_an_unknown_or_malformed_id_is_refused_in_trusted_mode(
    trusted: httpx.AsyncClient,
    customer: Caller,
    body: dict[str, object],
    code: str,
    message: str,
) -> None:
    response = await trusted.post(
        "/graphql",
        json=body,
        headers={**customer.headers, "Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["extensions"]["code"], error["message"]) == (code, message)
    assert "data" not in response.json()


async def test_in_apq_mode_a_document_id_works_for_registered_and_sent_documents(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    await register(documents_in(orjson.dumps({MD5: QUERY}).decode()))
    registered = await http.post("/graphql", json={"documentId": MD5}, headers=customer.headers)
    assert registered.json()["data"]["viewer"]["user"]["email"] == customer.user.email

    other = "query Company { viewer { company { nit } } }"
    other_id = "sha256:" + hashlib.sha256(other.encode()).hexdigest()
    unknown = await http.get("/graphql", params={"documentId": other_id}, headers=customer.headers)
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    sent = await http.post(
        "/graphql", json={"documentId": other_id, "query": other}, headers=customer.headers
    )
    assert "errors" not in sent.json()
    again = await http.get("/graphql", params={"documentId": other_id}, headers=customer.headers)
    assert again.json()["data"]["viewer"]["company"]["nit"]
