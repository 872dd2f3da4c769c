"""Automatic persisted queries over HTTP: the not-found round trip, GET by hash, a hash that does
not match its query, the bounded memory, and the server's other modes."""

import hashlib
from pathlib import Path

import httpx
import orjson
import pytest

from domain.clock import FixedClock
from server.app import create_app
from server.persisted_queries import PersistedQueries
from server.settings import Settings
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
    app = create_app(settings, clock=clock)
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
