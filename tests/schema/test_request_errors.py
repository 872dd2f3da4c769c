"""Request errors: every way a variable is refused while it is coerced answers with INVALID_INPUT
and a Spanish message naming the variable and the input field; documents that do not parse or
validate have their code too. Over HTTP, in both media types with their status codes, and on a
WebSocket."""

import json
from typing import Any

import httpx
import pytest
from graphql import GraphQLError, GraphQLSchema, build_schema, parse
from graphql.execution.values import get_variable_values
from starlette.applications import Starlette
from websockets.typing import Subprotocol

from schema.request_errors import worded
from tests.support.factories import Caller
from tests.support.in_process import opened, serve_in_process
from tests.support.live import LEGACY_WS, TRANSPORT_WS, WATCH, receive

GRAPHQL_RESPONSE = "application/graphql-response+json"
NODE = "query($id: ID!) { node(id: $id) { id } }"
PAGE = (
    "query($first: Int, $status: CertificateRequestStatus) "
    "{ certificateRequests(first: $first, status: $status) { totalCount } }"
)
APPROVE = (
    "mutation($input: ApproveCertificateRequestInput!) "
    "{ approveCertificateRequest(input: $input) { errors { code } } }"
)
SUBMIT = (
    "mutation($input: SubmitCertificateRequestInput!) "
    "{ submitCertificateRequest(input: $input) { errors { code } } }"
)
APPROVAL = {
    "requestId": "UmVxdWVzdDox",
    "serialNumber": "SN-1",
    "validFrom": "2026-11-25T00:00:00",
    "validUntil": "2027-11-25T00:00:00",
}
DOCUMENT = {"kind": "RUT", "file": "adjunto"}
REPRESENTATIVE = {"name": "Laura Gómez", "idType": "CC", "idNumber": "1020304050"}
SUBMISSION = {"documents": [DOCUMENT, DOCUMENT], "legalRepresentative": REPRESENTATIVE}

#: query, variables, the Spanish message, the extensions.
BAD_VARIABLES: dict[str, tuple[str, dict[str, Any], str, dict[str, str]]] = {
    "a required variable is missing": (
        NODE,
        {},
        "Falta la variable obligatoria $id (tipo ID!).",
        {"variable": "id"},
    ),
    "null for a non-null variable": (
        NODE,
        {"id": None},
        "El valor de la variable $id no es válido: no puede ser nulo (tipo ID!).",
        {"variable": "id"},
    ),
    "an ID of the wrong type": (
        NODE,
        {"id": 1.5},
        "El valor de la variable $id no es válido: se espera un valor de tipo ID.",
        {"variable": "id"},
    ),
    "an Int of the wrong type": (
        PAGE,
        {"first": "diez"},
        "El valor de la variable $first no es válido: se espera un valor de tipo Int.",
        {"variable": "first"},
    ),
    "a value outside an enum": (
        PAGE,
        {"status": "PERDIDO"},
        "El valor de la variable $status no es válido: «PERDIDO» no es un valor de "
        "CertificateRequestStatus.",
        {"variable": "status"},
    ),
    "an enum given a number": (
        PAGE,
        {"status": 3},
        "El valor de la variable $status no es válido: se espera un valor de tipo "
        "CertificateRequestStatus.",
        {"variable": "status"},
    ),
    "not an object for an input object": (
        APPROVE,
        {"input": "aprobar"},
        "El valor de la variable $input no es válido: se espera un objeto de tipo "
        "ApproveCertificateRequestInput.",
        {"variable": "input"},
    ),
    "an unknown field": (
        APPROVE,
        {"input": {**APPROVAL, "price": 10}},
        "El valor de la variable $input no es válido: el campo «price» no existe en "
        "ApproveCertificateRequestInput.",
        {"variable": "input"},
    ),
    "a required field missing": (
        APPROVE,
        {"input": {k: v for k, v in APPROVAL.items() if k != "serialNumber"}},
        "El valor de la variable $input no es válido: falta el campo obligatorio «serialNumber» "
        "de ApproveCertificateRequestInput.",
        {"variable": "input"},
    ),
    "null for a required field": (
        APPROVE,
        {"input": {**APPROVAL, "serialNumber": None}},
        "El valor de la variable $input no es válido en serialNumber: no puede ser nulo "
        "(tipo String!).",
        {"variable": "input", "field": "serialNumber"},
    ),
    "a String given a number": (
        APPROVE,
        {"input": {**APPROVAL, "serialNumber": 7}},
        "El valor de la variable $input no es válido en serialNumber: se espera un valor de "
        "tipo String.",
        {"variable": "input", "field": "serialNumber"},
    ),
    "a DateTime out of range": (
        APPROVE,
        {"input": {**APPROVAL, "validFrom": "9999-12-31T23:59:59+00:00"}},
        "El valor de la variable $input no es válido en validFrom: La fecha "
        "«9999-12-31T23:59:59+00:00» está fuera del rango admitido (años 1900 a 2200).",
        {"variable": "input", "field": "validFrom"},
    ),
    "a DateTime that is not text": (
        APPROVE,
        {"input": {**APPROVAL, "validUntil": 20271125}},
        "El valor de la variable $input no es válido en validUntil: «20271125» no es una fecha "
        "y hora: se espera un texto ISO 8601, por ejemplo 2026-03-01T08:00:00-05:00.",
        {"variable": "input", "field": "validUntil"},
    ),
    "an enum in a list item": (
        SUBMIT,
        {"input": {**SUBMISSION, "documents": [DOCUMENT, {**DOCUMENT, "kind": "FOTO"}]}},
        "El valor de la variable $input no es válido en documents[1].kind: «FOTO» no es un "
        "valor de DocumentKind.",
        {"variable": "input", "field": "documents[1].kind"},
    ),
    "a null Upload in a list item": (
        SUBMIT,
        {"input": {**SUBMISSION, "documents": [{**DOCUMENT, "file": None}]}},
        "El valor de la variable $input no es válido en documents[0].file: no puede ser nulo "
        "(tipo Upload!).",
        {"variable": "input", "field": "documents[0].file"},
    ),
    "a Date in a list item": (
        SUBMIT,
        {"input": {**SUBMISSION, "documents": [{**DOCUMENT, "issuedOn": "2026-13-01"}]}},
        "El valor de la variable $input no es válido en documents[0].issuedOn: «2026-13-01» no "
        "es una fecha válida: usa AAAA-MM-DD, por ejemplo 2026-03-01.",
        {"variable": "input", "field": "documents[0].issuedOn"},
    ),
    "a null list": (
        SUBMIT,
        {"input": {**SUBMISSION, "documents": None}},
        "El valor de la variable $input no es válido en documents: no puede ser nulo "
        "(tipo [DocumentUpload!]!).",
        {"variable": "input", "field": "documents"},
    ),
    "a single item for a list": (
        SUBMIT,
        {"input": {**SUBMISSION, "documents": {**DOCUMENT, "kind": "FOTO"}}},
        "El valor de la variable $input no es válido en documents.kind: «FOTO» no es un valor de "
        "DocumentKind.",
        {"variable": "input", "field": "documents.kind"},
    ),
    "an enum in a nested object": (
        SUBMIT,
        {"input": {**SUBMISSION, "legalRepresentative": {**REPRESENTATIVE, "idType": "DNI"}}},
        "El valor de la variable $input no es válido en legalRepresentative.idType: «DNI» no es "
        "un valor de IdentityDocumentType.",
        {"variable": "input", "field": "legalRepresentative.idType"},
    ),
}


async def post(http: httpx.AsyncClient, payload: dict[str, Any], accept: str) -> httpx.Response:
    return await http.post("/graphql", json=payload, headers={"Accept": accept})


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
@pytest.mark.parametrize("case", list(BAD_VARIABLES))
async def test_a_refused_variable_has_its_code_and_a_spanish_message(
    http: httpx.AsyncClient, case: str, accept: str
) -> None:
    query, variables, message, extensions = BAD_VARIABLES[case]
    response = await post(http, {"query": query, "variables": variables}, accept)
    assert response.status_code == (400 if accept == GRAPHQL_RESPONSE else 200)
    assert response.headers["content-type"] == accept
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"] == message
    assert error["extensions"] == {"code": "INVALID_INPUT", **extensions}
    # Where the variable is defined in the document.
    column = query.index(f"${extensions['variable']}:") + 1
    assert error["locations"] == [{"line": 1, "column": column}]


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ("{ viewer { ", "GRAPHQL_PARSE_FAILED", "Syntax Error: Expected Name, found <EOF>."),
        (
            "{ viewer { nope } }",
            "GRAPHQL_VALIDATION_FAILED",
            "Cannot query field 'nope' on type 'Viewer'.",
        ),
    ],
    ids=["does not parse", "does not validate"],
)
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_a_document_refused_before_it_runs_has_its_code(
    http: httpx.AsyncClient, query: str, code: str, message: str, accept: str
) -> None:
    response = await post(http, {"query": query}, accept)
    assert response.status_code == (400 if accept == GRAPHQL_RESPONSE else 200)
    [error] = response.json()["errors"]
    assert (error["message"], error["extensions"]) == (message, {"code": code})


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_subscription_with_a_refused_variable_gets_the_same_error(
    app: Starlette, customer: Caller, protocol: Subprotocol
) -> None:
    start = "subscribe" if protocol == TRANSPORT_WS else "start"
    async with (
        serve_in_process(app) as served,
        await opened(served, customer, protocol, "bad-variables") as ws,
    ):
        payload = {"query": WATCH, "variables": {"id": ["a", "b"]}}
        await ws.send(json.dumps({"id": "w1", "type": start, "payload": payload}))
        answer = await receive(ws)
    assert answer["type"] == "error"
    assert answer["id"] == "w1"
    # graphql-transport-ws sends a list of errors; the legacy graphql-ws protocol, one error.
    [error] = answer["payload"] if protocol == TRANSPORT_WS else [answer["payload"]]
    assert error["message"] == (
        "El valor de la variable $id no es válido: se espera un valor de tipo ID."
    )
    assert error["extensions"] == {"code": "INVALID_INPUT", "variable": "id"}


#: Kinds of input our schema has none of, to word all the same: a OneOf input, a recursive one
#: (nested past graphql-core's limit) and a scalar that raises something else than a GraphQLError.
SDL = """
scalar Odd
input Pick @oneOf { a: Int, b: Int }
input Tree { child: Tree }
type Query { pick(p: Pick): Int, odd(o: Odd): Int, tree(t: Tree): Int }
"""
OTHER_KINDS = "query($p: Pick, $o: Odd, $t: Tree) { pick(p: $p) odd(o: $o) tree(t: $t) }"


def odd(value: int) -> int:
    if value % 2 == 0:
        raise ValueError(f"{value} is even")
    return value


def refusals(schema: GraphQLSchema, inputs: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    [operation] = parse(OTHER_KINDS).definitions
    errors = get_variable_values(schema, operation.variable_definitions, inputs)  # type: ignore[attr-defined]
    assert isinstance(errors, list)
    return [(e.message, e.extensions or {}) for e in (worded(e, schema, inputs) for e in errors)]


def tree(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for _ in range(depth):
        root = {"child": root}
    return root


@pytest.mark.parametrize(
    ("inputs", "message", "extensions"),
    [
        (
            {"p": {"a": 1, "b": 2}},
            "El valor de la variable $p no es válido: Pick lleva exactamente uno de sus campos, "
            "y no nulo.",
            {"code": "INVALID_INPUT", "variable": "p"},
        ),
        (
            {"o": 4},
            "El valor de la variable $o no es válido: se espera un valor de tipo Odd.",
            {"code": "INVALID_INPUT", "variable": "o"},
        ),
        (
            {"t": tree(1000)},
            "Las variables están anidadas demasiado profundo.",
            {"code": "INVALID_INPUT"},
        ),
    ],
    ids=["oneOf with two fields", "a scalar raising ValueError", "nested too deeply"],
)
def test_other_kinds_of_input_are_refused_in_spanish_too(
    inputs: dict[str, Any], message: str, extensions: dict[str, Any]
) -> None:
    schema = build_schema(SDL)
    schema.type_map["Odd"].coerce_input_value = odd  # type: ignore[attr-defined]
    assert refusals(schema, inputs) == [(message, extensions)]


def test_an_error_that_has_its_code_is_left_as_it_is() -> None:
    error = GraphQLError("La consulta es demasiado larga.", extensions={"code": "QUERY_TOO_LARGE"})
    assert worded(error, build_schema(SDL), None) is error
