"""The HTTP surface around GraphQL: health, the GraphiQL page, and masking of unexpected errors."""

import logging
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

import resolvers.companies.update_principal_contact as update_contact_resolver
import server.app
from domain.clock import FixedClock
from domain.enums import Role
from server.settings import Settings
from services import reads
from tests.schema.helpers import only_error
from tests.support.app import in_process_app
from tests.support.factories import Caller, make_caller, make_company
from tests.support.graphql import GraphQLClient
from tests.support.operations import UPDATE_CONTACT, VIEWER

SECRET = "secret SQL /etc/passwd"


async def test_health_answers_ok_when_the_database_answers(http: httpx.AsyncClient) -> None:
    response = await http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body == {"status": "ok", "database": "ok", "redis": "disabled"}


async def test_ready_answers_ok_without_redis_configured(http: httpx.AsyncClient) -> None:
    """One process without REDIS_URL has no bus to lose: ready whenever the database answers."""
    response = await http.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "disabled"}


async def test_health_answers_503_without_details_when_the_database_does_not(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Unreachable:
        async def execute_query(self, query: str) -> NoReturn:
            raise ConnectionRefusedError(f"{SECRET} at 10.0.0.7:5432")

    class Connections:
        def get(self, name: str) -> Unreachable:
            return Unreachable()

    monkeypatch.setattr(server.app, "connections", Connections())
    with caplog.at_level(logging.ERROR, logger="certs.server"):
        response = await http.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable", "redis": "disabled"}
    assert "secret" not in response.text
    assert any("health check" in r.getMessage() for r in caplog.records)


async def test_the_graphql_endpoint_serves_graphiql_to_a_browser(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql_can_be_turned_off(tmp_path: Path, db: str, clock: FixedClock) -> None:
    app = in_process_app(
        Settings(data_dir=tmp_path / "var", database_url=db, graphiql=False), clock=clock
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


async def test_queries_over_get_are_answered(http: httpx.AsyncClient, customer: Caller) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "{ viewer { user { email } } }"},
        headers={**customer.headers, "Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["user"]["email"] == customer.user.email


async def test_mutations_over_get_are_refused(http: httpx.AsyncClient, customer: Caller) -> None:
    response = await http.get(
        "/graphql",
        params={
            "query": 'mutation { updatePrincipalContact(input: {name: "X", email: "x@y.co"}) { errors { code } } }'
        },
        headers={**customer.headers, "Accept": "application/json"},
    )
    assert response.status_code == 405
    (error,) = response.json()["errors"]
    assert (error["extensions"]["code"], error["message"]) == (
        "METHOD_NOT_ALLOWED",
        "Las mutaciones se envían por POST, no por GET.",
    )


def assert_masked(error: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    """A generic Spanish message with an error id; the details only in the server's log."""
    assert "secret" not in error["message"]
    assert "/etc" not in error["message"]
    assert "RuntimeError" not in str(error)
    extensions = error["extensions"]
    assert extensions["code"] == "INTERNAL_SERVER_ERROR"
    error_id = extensions["errorId"]
    assert error_id
    assert error["message"] == f"Error inesperado. Código de seguimiento: {error_id}."
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged, [r.getMessage() for r in caplog.records]
    assert logged[0].levelno >= logging.ERROR
    assert logged[0].exc_info is not None
    assert SECRET in str(logged[0].exc_info[1])


@pytest.fixture
def failing_service() -> Any:
    async def fail(*args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(SECRET)

    return fail


async def test_an_unexpected_error_in_a_query_is_masked_and_logged_with_its_id(
    gql: GraphQLClient,
    customer: Caller,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failing_service: Any,
) -> None:
    # resolvers.queries calls `reads.get_user`, looked up on the module at call time.
    monkeypatch.setattr(reads, "get_user", failing_service)
    with caplog.at_level(logging.ERROR):
        body = await gql.execute(VIEWER, token=customer.token)
    assert body["data"] is None
    error = only_error(body)
    assert error["path"] == ["viewer"]
    assert_masked(error, caplog)
    assert SECRET not in str(body)


async def test_an_unexpected_error_in_a_mutation_is_masked_and_logged_with_its_id(
    gql: GraphQLClient,
    customer: Caller,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failing_service: Any,
) -> None:
    monkeypatch.setattr(update_contact_resolver, "update_principal_contact", failing_service)
    with caplog.at_level(logging.ERROR):
        body = await gql.execute(
            UPDATE_CONTACT,
            {"input": {"name": "Ana", "email": "ana@ejemplo.co"}},
            token=customer.token,
        )
    error = only_error(body)
    assert error["path"] == ["updatePrincipalContact"]
    assert_masked(error, caplog)
    assert SECRET not in str(body)


async def test_each_unexpected_error_gets_its_own_id(
    gql: GraphQLClient,
    customer: Caller,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failing_service: Any,
) -> None:
    monkeypatch.setattr(reads, "get_user", failing_service)
    with caplog.at_level(logging.ERROR):
        first = only_error(await gql.execute(VIEWER, token=customer.token))
        second = only_error(await gql.execute(VIEWER, token=customer.token))
    assert first["extensions"]["errorId"] != second["extensions"]["errorId"]


async def test_an_unknown_path_is_404(http: httpx.AsyncClient) -> None:
    assert (await http.get("/no-existe")).status_code == 404


async def test_answers_are_compact_json_with_spanish_text_as_utf8(
    http: httpx.AsyncClient, db: str
) -> None:
    """Answers are encoded by orjson (docs/performance.md): the same JSON, with «ñ» sent as
    UTF-8 rather than the `\\u00f1` that `json.dumps` writes."""
    caller = await make_caller(Role.CUSTOMER, await make_company(), name="Begoña Muñoz")
    response = await http.post(
        "/graphql", json={"query": "{ viewer { user { name } } }"}, headers=caller.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    expected = '{"data":{"viewer":{"user":{"name":"Begoña Muñoz"}}}}'
    assert response.content == expected.encode()
