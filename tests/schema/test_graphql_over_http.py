"""GraphQL over HTTP: the media type a client asks for, request errors without `data`, and every
refusal of /graphql as JSON with an `errors` list (never text GraphiQL or Apollo cannot parse)."""

from typing import Any

import httpx
import pytest

from tests.support.factories import Caller

GRAPHQL_RESPONSE = "application/graphql-response+json"
VIEWER_EMAIL = "{ viewer { user { email } } }"


def only_request_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "data" not in body, body
    [error] = body["errors"]
    return dict(error)


async def test_a_client_accepting_graphql_response_json_gets_it(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": VIEWER_EMAIL},
        headers={**customer.headers, "Accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json()["data"]["viewer"]["user"]["email"] == customer.user.email


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
async def test_legacy_clients_get_application_json(
    http: httpx.AsyncClient, customer: Caller, accept: str | None
) -> None:
    headers = dict(customer.headers)
    if accept:
        headers["Accept"] = accept
    response = await http.post("/graphql", json={"query": VIEWER_EMAIL}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


async def test_the_client_s_preference_wins(http: httpx.AsyncClient, customer: Caller) -> None:
    response = await http.post(
        "/graphql",
        json={"query": VIEWER_EMAIL},
        headers={**customer.headers, "Accept": f"{GRAPHQL_RESPONSE};q=0.5, application/json"},
    )
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ viewer { ", None),
        ("{ viewer { nope } }", None),
        (
            "query($first: Int) { certificateRequests(first: $first) { totalCount } }",
            {"first": "x"},
        ),
    ],
    ids=["does not parse", "does not validate", "variables do not coerce"],
)
async def test_a_request_error_is_a_400_without_data_under_graphql_response_json(
    http: httpx.AsyncClient, customer: Caller, query: str, variables: dict[str, Any] | None
) -> None:
    payload = {"query": query, "variables": variables}
    response = await http.post(
        "/graphql", json=payload, headers={**customer.headers, "Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    error = only_request_error(response)
    assert error["message"]

    legacy = await http.post(
        "/graphql", json=payload, headers={**customer.headers, "Accept": "application/json"}
    )
    assert legacy.status_code == 200
    assert "data" not in legacy.json()
    assert legacy.json()["errors"]


async def test_a_field_error_keeps_200_and_data(http: httpx.AsyncClient) -> None:
    # No token: `viewer` refuses with a path, after execution began; that is not a request error.
    response = await http.post(
        "/graphql", json={"query": VIEWER_EMAIL}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["path"] == ["viewer"]


REFUSALS: dict[str, tuple[dict[str, Any], int, str, str]] = {
    "broken JSON": (
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        400,
        "BAD_REQUEST",
        "El cuerpo de la solicitud no es JSON válido.",
    ),
    "no query": (
        {"json": {"variables": {}}},
        400,
        "BAD_REQUEST",
        "La solicitud no trae una operación GraphQL en `query`.",
    ),
    "query not a string": (
        {"json": {"query": 42}},
        400,
        "BAD_REQUEST",
        "`query` debe ser un texto.",
    ),
    "a batch": (
        {"json": [{"query": VIEWER_EMAIL}, {"query": VIEWER_EMAIL}]},
        400,
        "BAD_REQUEST",
        "Se admite una sola operación por solicitud, no una lista.",
    ),
    "unsupported media type": (
        {"content": VIEWER_EMAIL.encode(), "headers": {"Content-Type": "text/plain"}},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Tipo de contenido no admitido: usa application/json o multipart/form-data.",
    ),
    "operationName not a string": (
        {"json": {"query": "query A { __typename }", "operationName": {"x": 1}}},
        400,
        "BAD_REQUEST",
        "`operationName` debe ser un texto.",
    ),
    "unknown operation name": (
        {"json": {"query": "query A { __typename }", "operationName": "B"}},
        400,
        "BAD_REQUEST",
        "No se encontró la operación indicada en `operationName`.",
    ),
}


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
@pytest.mark.parametrize(
    ("request_kwargs", "status", "code", "message"), REFUSALS.values(), ids=REFUSALS.keys()
)
async def test_every_refusal_is_json_with_errors(
    http: httpx.AsyncClient,
    customer: Caller,
    accept: str,
    request_kwargs: dict[str, Any],
    status: int,
    code: str,
    message: str,
) -> None:
    kwargs = dict(request_kwargs)
    kwargs["headers"] = {**customer.headers, "Accept": accept, **kwargs.get("headers", {})}
    response = await http.post("/graphql", **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == accept
    error = only_request_error(response)
    assert error["extensions"]["code"] == code
    assert error["message"] == message


async def test_a_mutation_over_get_is_a_405_in_json(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={**customer.headers, "Accept": "application/json"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    error = only_request_error(response)
    assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert error["message"] == "Las mutaciones se envían por POST, no por GET."


async def test_an_upload_without_authorization_is_refused_in_json(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        data={"operations": "{}", "map": "{}"},
        files={"0": ("rut.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert response.status_code == 400
    error = only_request_error(response)
    assert error["message"] == "Las cargas de archivos requieren el encabezado Authorization."


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
async def test_refusals_with_a_code_of_their_own_answer_in_the_negotiated_media_type(
    http: httpx.AsyncClient, customer: Caller, accept: str
) -> None:
    """One mechanism for every refusal of the view: the limits' codes and Spanish messages, in
    the media type the client asked for."""
    response = await http.post(
        "/graphql",
        data={"operations": "{}", "map": "{}"},
        files={"0": ("a.pdf", b"%PDF-1.4")},
        headers={**customer.headers, "Accept": accept},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == accept
    error = only_request_error(response)
    assert error["extensions"]["code"] == "MALFORMED_MULTIPART"
    assert error["message"] == "El archivo «0» no aparece en el campo «map»."
