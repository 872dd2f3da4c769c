"""Bad input: every refusal has its stable code and a Spanish message, and leaves the database as
it was. Nothing a client sends produces a 500."""

import base64
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from resolvers.ids import to_global_id
from server.settings import Settings
from tests.schema.helpers import only_error
from tests.support.factories import Caller
from tests.support.files import PDF, TEXT, pdf
from tests.support.flows import REPRESENTATIVE, approve, legal_entity_documents, reject, submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.operations import (
    APPROVE,
    CHANGE_STATE,
    NODE,
    REJECT,
    REQUESTS,
    SUBMIT,
    TRACKING,
    UPDATE_CONTACT,
)
from tests.support.refusals import assert_refused

TODAY = date(2026, 11, 24)
ISSUED_ON = TODAY - timedelta(days=5)
VALID_FROM = datetime(2026, 11, 24, 15, tzinfo=UTC)  # the tests' clock: it starts at once
VALID_UNTIL = datetime(2027, 11, 24, 15, tzinfo=UTC)
ORIGINAL_CONTACT = {"name": "María Peña", "email": "contacto@ejemplo.co"}
MAX_BYTES = 1024 * 1024


@pytest.fixture
def settings(tmp_path: Path, db: str) -> Settings:
    """The app of this module refuses files over 1 MB."""
    return Settings(data_dir=tmp_path / "var", database_url=db, max_document_bytes=MAX_BYTES)


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def pk_of(global_id: str) -> int:
    return int(base64.urlsafe_b64decode(global_id).decode().partition(":")[2])


def stored_files(settings: Settings) -> list[Path]:
    folder = settings.documents_dir
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def screen_of(gql: GraphQLClient, caller: Caller) -> dict[str, Any]:
    screen: dict[str, Any] = data_of(await gql.execute(TRACKING, token=caller.token))[
        "certificateTracking"
    ]
    return screen


async def assert_still_in_review(gql: GraphQLClient, customer: Caller, request_id: str) -> None:
    screen = await screen_of(gql, customer)
    latest = screen["latestRequest"]
    assert (latest["id"], latest["status"], latest["attempt"]) == (request_id, "IN_REVIEW", 1)
    assert latest["observations"] is None
    assert [d["observation"] for d in latest["documents"]] == [None, None, None]
    assert [h["toStatus"] for h in latest["history"]] == ["IN_REVIEW"]
    assert screen["certificate"] is None


async def request_count(gql: GraphQLClient, reviewer: Caller) -> int:
    page = data_of(await gql.execute(REQUESTS, token=reviewer.token))["certificateRequests"]
    count: int = page["totalCount"]
    return count


# --- malformed global ids ----------------------------------------------------------------------

#: Ids that name no row of the expected type, built from the real row's primary key.
MALFORMED_IDS: dict[str, Callable[[str, int], str]] = {
    "not base64": lambda type_name, pk: "¡esto no es base64!",
    "empty": lambda type_name, pk: "",
    "base64 without a colon": lambda type_name, pk: b64(type_name),
    "not a number": lambda type_name, pk: b64(f"{type_name}:uno"),
    "zero": lambda type_name, pk: b64(f"{type_name}:0"),
    "negative": lambda type_name, pk: b64(f"{type_name}:-{pk}"),
    "wrong type, same number": lambda type_name, pk: to_global_id(
        "Certificate" if type_name != "Certificate" else "Company", pk
    ),
    "unknown type": lambda type_name, pk: to_global_id("Invoice", pk),
    "raw number": lambda type_name, pk: str(pk),
    "beyond a 32-bit key": lambda type_name, pk: to_global_id(type_name, 2**31),
    "beyond a 64-bit key": lambda type_name, pk: to_global_id(type_name, 10**20),
}


@pytest.mark.parametrize("make_id", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
async def test_malformed_request_ids_in_mutations_are_not_found(
    gql: GraphQLClient,
    reviewer: Caller,
    customer: Caller,
    in_review: dict[str, Any],
    make_id: Callable[[str, int], str],
) -> None:
    bad_id = make_id("CertificateRequest", pk_of(in_review["id"]))
    approved = await gql.execute(
        APPROVE,
        {
            "input": {
                "requestId": bad_id,
                "serialNumber": "SN-1",
                "validFrom": VALID_FROM.isoformat(),
                "validUntil": VALID_UNTIL.isoformat(),
            }
        },
        token=reviewer.token,
    )
    assert_refused(
        data_of(approved)["approveCertificateRequest"],
        "NOT_FOUND",
        field="requestId",
        message="No encontramos la solicitud.",
    )
    rejected = await gql.execute(
        REJECT,
        {"input": {"requestId": bad_id, "observations": "Falta el RUT."}},
        token=reviewer.token,
    )
    assert_refused(
        data_of(rejected)["rejectCertificateRequest"],
        "NOT_FOUND",
        field="requestId",
        message="No encontramos la solicitud.",
    )
    await assert_still_in_review(gql, customer, in_review["id"])


@pytest.mark.parametrize("make_id", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
async def test_malformed_document_and_certificate_ids_are_not_found(
    gql: GraphQLClient,
    reviewer: Caller,
    customer: Caller,
    in_review: dict[str, Any],
    make_id: Callable[[str, int], str],
) -> None:
    document_id = make_id("RequestDocument", pk_of(in_review["documents"][0]["id"]))
    rejected = await gql.execute(
        REJECT,
        {
            "input": {
                "requestId": in_review["id"],
                "observations": "Revisa el documento.",
                "documentObservations": [{"documentId": document_id, "observation": "Borroso."}],
            }
        },
        token=reviewer.token,
    )
    assert_refused(
        data_of(rejected)["rejectCertificateRequest"],
        "NOT_FOUND",
        field="documentObservations.0.documentId",
        message="No encontramos el documento.",
    )
    await assert_still_in_review(gql, customer, in_review["id"])

    changed = await gql.execute(
        CHANGE_STATE,
        {"input": {"certificateId": make_id("Certificate", 1), "status": "INACTIVE"}},
        token=customer.token,
    )
    assert_refused(
        data_of(changed)["changeCertificateState"],
        "NOT_FOUND",
        field="certificateId",
        message="No encontramos el certificado.",
    )


@pytest.mark.parametrize("make_id", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
async def test_malformed_company_ids_in_queries_are_not_found(
    gql: GraphQLClient,
    reviewer: Caller,
    customer: Caller,
    make_id: Callable[[str, int], str],
) -> None:
    assert customer.user.company_id is not None
    bad_id = make_id("Company", customer.user.company_id)
    for query in [TRACKING, REQUESTS]:
        body = await gql.execute(query, {"companyId": bad_id}, token=reviewer.token)
        error = only_error(body)
        assert body["data"] is None
        assert (error["extensions"]["code"], error["message"]) == (
            "NOT_FOUND",
            "No encontramos la empresa.",
        ), error
    # `node` answers null, without an error, as for any id it cannot show.
    assert await gql.execute(NODE, {"id": bad_id}, token=reviewer.token) == {"data": {"node": None}}


@pytest.mark.parametrize("make_id", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
async def test_malformed_company_ids_in_company_mutations_are_not_found(
    gql: GraphQLClient, admin: Caller, customer: Caller, make_id: Callable[[str, int], str]
) -> None:
    assert customer.user.company_id is not None
    bad_id = make_id("Company", customer.user.company_id)
    body = await gql.execute(
        UPDATE_CONTACT,
        {"input": {"name": "Nuevo", "email": "nuevo@ejemplo.co", "companyId": bad_id}},
        token=admin.token,
    )
    assert_refused(
        data_of(body)["updatePrincipalContact"],
        "NOT_FOUND",
        field="companyId",
        message="No encontramos la empresa.",
    )
    assert_refused(
        await submit(gql, admin.token, issued_on=ISSUED_ON, companyId=bad_id),
        "NOT_FOUND",
        field="companyId",
        message="No encontramos la empresa.",
    )
    screen = await screen_of(gql, customer)
    assert screen["company"]["principalContact"] == ORIGINAL_CONTACT
    assert screen["latestRequest"] is None


# --- approval dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "valid_until",
    [VALID_FROM - timedelta(days=1), VALID_FROM],
    ids=["ends before it starts", "ends as it starts"],
)
async def test_a_validity_that_ends_before_it_starts_is_invalid(
    gql: GraphQLClient,
    reviewer: Caller,
    customer: Caller,
    in_review: dict[str, Any],
    valid_until: datetime,
) -> None:
    payload = await approve(
        gql,
        reviewer.token,
        in_review["id"],
        "SN-1",
        VALID_FROM.isoformat(),
        valid_until.isoformat(),
    )
    assert_refused(
        payload,
        "INVALID_INPUT",
        "validUntil",
        message="La fecha de vencimiento debe ser posterior a la fecha de inicio de vigencia.",
    )
    await assert_still_in_review(gql, customer, in_review["id"])


# --- documents ---------------------------------------------------------------------------------


async def submit_files(
    gql: GraphQLClient, caller: Caller, replace: dict[int, tuple[str, bytes]], drop: int | None
) -> dict[str, Any]:
    """The three documents of a legal entity, with some files replaced or one left out."""
    documents, files = legal_entity_documents(ISSUED_ON)
    for index, (name, content) in replace.items():
        files[f"input.documents.{index}.file"] = (name, content, "application/pdf")
    if drop is not None:
        del documents[drop]
        files = {
            f"input.documents.{i}.file": file
            for i, file in enumerate(
                f for key, f in files.items() if key != f"input.documents.{drop}.file"
            )
        }
    body = await gql.upload(
        SUBMIT,
        {"input": {"documents": documents, "legalRepresentative": REPRESENTATIVE}},
        files,
        token=caller.token,
    )
    payload: dict[str, Any] = data_of(body)["submitCertificateRequest"]
    return payload


async def assert_nothing_submitted(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, settings: Settings
) -> None:
    assert await request_count(gql, reviewer) == 0
    screen = await screen_of(gql, customer)
    assert (screen["latestRequest"], screen["canSubmitRequest"]) == (None, True)
    assert stored_files(settings) == []


async def test_a_text_file_named_pdf_is_an_invalid_document(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, settings: Settings
) -> None:
    payload = await submit_files(gql, customer, {0: ("rut.pdf", TEXT)}, drop=None)
    message = assert_refused(
        payload,
        "INVALID_DOCUMENT",
        "documents.0",
        message="El archivo «rut.pdf» no es un PDF ni una imagen JPEG o PNG. Se revisa el contenido del archivo; la extensión del nombre no cuenta.",
    )
    assert "rut.pdf" in message
    await assert_nothing_submitted(gql, customer, reviewer, settings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "El archivo «cedula.pdf» está vacío."),
        (
            b" " * 10,
            "El archivo «cedula.pdf» no es un PDF ni una imagen JPEG o PNG. Se revisa el contenido del archivo; la extensión del nombre no cuenta.",
        ),
    ],
    ids=["empty", "blank"],
)
async def test_an_empty_file_is_an_invalid_document(
    gql: GraphQLClient,
    customer: Caller,
    reviewer: Caller,
    settings: Settings,
    content: bytes,
    message: str,
) -> None:
    payload = await submit_files(gql, customer, {1: ("cedula.pdf", content)}, drop=None)
    assert_refused(payload, "INVALID_DOCUMENT", "documents.1", message=message)
    await assert_nothing_submitted(gql, customer, reviewer, settings)


async def test_a_file_over_the_configured_maximum_is_an_invalid_document(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, settings: Settings
) -> None:
    assert settings.max_document_bytes == MAX_BYTES
    too_large = PDF + b"0" * (MAX_BYTES + 1 - len(PDF))
    payload = await submit_files(gql, customer, {2: ("camara.pdf", too_large)}, drop=None)
    message = assert_refused(
        payload,
        "INVALID_DOCUMENT",
        "documents.2",
        message="El archivo «camara.pdf» supera el tamaño máximo de 1 MB.",
    )
    assert "1 MB" in message
    await assert_nothing_submitted(gql, customer, reviewer, settings)


async def test_a_file_of_exactly_the_maximum_is_accepted(
    gql: GraphQLClient, customer: Caller
) -> None:
    just_right = PDF + b"0" * (MAX_BYTES - len(PDF))
    payload = await submit_files(gql, customer, {2: ("camara.pdf", just_right)}, drop=None)
    assert payload["errors"] == []
    sizes = {d["kind"]: d["sizeBytes"] for d in payload["request"]["documents"]}
    assert sizes["CHAMBER_OF_COMMERCE_CERTIFICATE"] == MAX_BYTES


async def test_several_bad_files_are_reported_at_once(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, settings: Settings
) -> None:
    payload = await submit_files(
        gql, customer, {0: ("rut.pdf", TEXT), 1: ("cedula.pdf", b"")}, drop=None
    )
    assert [(e["code"], e["field"], e["message"]) for e in payload["errors"]] == [
        (
            "INVALID_DOCUMENT",
            "documents.0",
            "El archivo «rut.pdf» no es un PDF ni una imagen JPEG o PNG. Se revisa el contenido del archivo; la extensión del nombre no cuenta.",
        ),
        ("INVALID_DOCUMENT", "documents.1", "El archivo «cedula.pdf» está vacío."),
    ]
    await assert_nothing_submitted(gql, customer, reviewer, settings)


async def test_a_missing_required_document_is_reported(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, settings: Settings
) -> None:
    payload = await submit_files(gql, customer, {}, drop=2)
    message = assert_refused(
        payload,
        "MISSING_DOCUMENT",
        "documents",
        message="Falta el documento «Certificado de existencia y representación legal (cámara de comercio)».",
    )
    assert "cámara de comercio" in message
    await assert_nothing_submitted(gql, customer, reviewer, settings)


# --- other fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (
            "no-es-un-correo",
            "El correo electrónico «no-es-un-correo» no es válido. Revisa que esté completo, por ejemplo nombre@empresa.com.co.",
        ),
        (
            "ana@",
            "El correo electrónico «ana@» no es válido. Revisa que esté completo, por ejemplo nombre@empresa.com.co.",
        ),
        (
            "@empresa.co",
            "El correo electrónico «@empresa.co» no es válido. Revisa que esté completo, por ejemplo nombre@empresa.com.co.",
        ),
        (
            "ana @empresa.co",
            "El correo electrónico «ana @empresa.co» no es válido. Revisa que esté completo, por ejemplo nombre@empresa.com.co.",
        ),
        ("   ", "El correo electrónico es obligatorio."),
    ],
)
async def test_an_invalid_contact_email_is_invalid_input(
    gql: GraphQLClient, customer: Caller, email: str, message: str
) -> None:
    body = await gql.execute(
        UPDATE_CONTACT, {"input": {"name": "Ana", "email": email}}, token=customer.token
    )
    assert_refused(
        data_of(body)["updatePrincipalContact"], "INVALID_INPUT", "email", message=message
    )
    assert (await screen_of(gql, customer))["company"]["principalContact"] == ORIGINAL_CONTACT


@pytest.mark.parametrize("observations", ["", "   \n\t "], ids=["empty", "blank"])
async def test_rejecting_without_observations_is_refused(
    gql: GraphQLClient,
    reviewer: Caller,
    customer: Caller,
    in_review: dict[str, Any],
    observations: str,
) -> None:
    rut = next(d for d in in_review["documents"] if d["kind"] == "RUT")
    payload = await reject(
        gql, reviewer.token, in_review["id"], observations, {rut["id"]: "Ilegible."}
    )
    assert_refused(
        payload,
        "OBSERVATIONS_REQUIRED",
        "observations",
        message="Escribe las observaciones: la empresa necesita saber qué corregir.",
    )
    await assert_still_in_review(gql, customer, in_review["id"])


# --- state transitions -------------------------------------------------------------------------


@pytest.mark.parametrize("second", ["approve", "reject"])
async def test_a_completed_request_cannot_be_decided_again(
    gql: GraphQLClient,
    reviewer: Caller,
    customer: Caller,
    in_review: dict[str, Any],
    second: str,
) -> None:
    first = await approve(
        gql,
        reviewer.token,
        in_review["id"],
        "SN-1",
        VALID_FROM.isoformat(),
        VALID_UNTIL.isoformat(),
    )
    assert first["errors"] == []
    if second == "approve":
        payload = await approve(
            gql,
            reviewer.token,
            in_review["id"],
            "SN-2",
            VALID_FROM.isoformat(),
            VALID_UNTIL.isoformat(),
        )
    else:
        payload = await reject(gql, reviewer.token, in_review["id"], "Cambié de opinión.", {})
    verb = "aprobar" if second == "approve" else "rechazar"
    assert_refused(
        payload,
        "INVALID_STATE_TRANSITION",
        message=f"La solicitud está en estado «Completado» y no se puede {verb}.",
    )

    screen = await screen_of(gql, customer)
    assert screen["latestRequest"]["status"] == "COMPLETED"
    assert screen["latestRequest"]["observations"] is None
    assert [h["toStatus"] for h in screen["latestRequest"]["history"]] == [
        "IN_REVIEW",
        "COMPLETED",
    ]
    company = data_of(
        await gql.execute(
            "query($id: ID!) { node(id: $id) { ... on Company { certificates { serialNumber status } } } }",
            {"id": screen["company"]["id"]},
            token=customer.token,
        )
    )["node"]
    assert company["certificates"] == [{"serialNumber": "SN-1", "status": "ACTIVE"}]


# --- pagination arguments ----------------------------------------------------------------------

STAMP = "2026-11-24T15:00:00+00:00"
BAD_CURSORS = {
    "not base64": "¡no!",
    "not ours": b64("hola"),
    "bad date": b64("ayer|1"),
    "bad id": b64(f"{STAMP}|uno"),
    "no id": b64(STAMP),
}


@pytest.mark.parametrize("status", [None, "IN_REVIEW"])
@pytest.mark.parametrize("cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
async def test_an_invalid_after_cursor_is_invalid_input(
    gql: GraphQLClient,
    reviewer: Caller,
    in_review: dict[str, Any],
    cursor: str,
    status: str | None,
) -> None:
    body = await gql.execute(REQUESTS, {"after": cursor, "status": status}, token=reviewer.token)
    error = only_error(body)
    assert body["data"] is None
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}, error
    assert error["message"] == "El cursor de paginación no es válido."


@pytest.mark.parametrize("pk", [2**31, 10**20], ids=["beyond a 32-bit key", "beyond a 64-bit key"])
@pytest.mark.parametrize("status", [None, "IN_REVIEW"])
async def test_a_cursor_with_an_id_out_of_range_is_never_a_500(
    gql: GraphQLClient, reviewer: Caller, in_review: dict[str, Any], pk: int, status: str | None
) -> None:
    """Well formed, though the server never made it: an empty page or INVALID_INPUT, not a bug."""
    body = await gql.execute(
        REQUESTS, {"after": b64(f"{STAMP}|{pk}"), "status": status}, token=reviewer.token
    )
    if body.get("errors"):
        error = only_error(body)
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}, body
        assert error["message"] == "El cursor de paginación no es válido."
    else:
        assert body["data"]["certificateRequests"]["totalCount"] == 1


@pytest.mark.parametrize("first", [-1, 101, 1000])
async def test_a_page_size_out_of_range_is_invalid_input(
    gql: GraphQLClient, reviewer: Caller, in_review: dict[str, Any], first: int
) -> None:
    body = await gql.execute(REQUESTS, {"first": first}, token=reviewer.token)
    error = only_error(body)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "first"}, error
    assert error["message"] == "`first` debe estar entre 0 y 100."


@pytest.mark.parametrize("first", [0, 1, 100])
async def test_page_sizes_in_range_are_accepted(
    gql: GraphQLClient, reviewer: Caller, in_review: dict[str, Any], first: int
) -> None:
    page = data_of(await gql.execute(REQUESTS, {"first": first}, token=reviewer.token))[
        "certificateRequests"
    ]
    assert (len(page["edges"]), page["totalCount"]) == (min(first, 1), 1)


# --- malformed GraphQL -------------------------------------------------------------------------

BAD_DOCUMENTS = {
    "syntax error": ("{ viewer { user { id }", {}),
    "unknown field": ("{ viewer { user { id salary } } }", {}),
    "unknown argument": ('{ certificateRequests(orderBy: "id") { totalCount } }', {}),
    "unknown enum value": ("{ certificateRequests(status: PENDING) { totalCount } }", {}),
    "variable of the wrong type": (
        "query($first: Int) { certificateRequests(first: $first) { totalCount } }",
        {"first": "diez"},
    ),
    "missing required variable": ("query($id: ID!) { node(id: $id) { id } }", {}),
    "int out of 32-bit range": ("{ certificateRequests(first: 99999999999) { totalCount } }", {}),
    "missing input fields": (
        "mutation { updatePrincipalContact(input: {}) { errors { code } } }",
        {},
    ),
    "upload variables left null (files not mapped)": (
        SUBMIT,
        {
            "input": {
                "documents": legal_entity_documents(ISSUED_ON)[0],
                "legalRepresentative": REPRESENTATIVE,
            }
        },
    ),
    "subscription over HTTP POST": (
        "subscription { certificateStatusChanged { toStatus } }",
        {},
    ),
    "empty document": ("", {}),
}


@pytest.mark.parametrize(("query", "variables"), BAD_DOCUMENTS.values(), ids=BAD_DOCUMENTS.keys())
async def test_malformed_graphql_gets_clean_errors_never_a_500(
    http: httpx.AsyncClient, customer: Caller, query: str, variables: dict[str, Any]
) -> None:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=customer.headers
    )
    assert response.status_code in (200, 400), response.text
    if response.headers["content-type"].startswith("application/json") and response.content:
        body = response.json()
        errors = body.get("errors") or []
        assert errors, body
        assert all(
            (e.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR" for e in errors
        ), errors
        assert not body.get("data"), body
    else:
        assert response.text


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"query": 42}', "application/json"),
        (b"query { viewer { user { id } } }", "text/plain"),
    ],
    ids=["broken json", "json array", "query not a string", "unsupported content type"],
)
async def test_a_malformed_http_body_is_a_client_error_never_a_500(
    http: httpx.AsyncClient, customer: Caller, content: bytes, content_type: str
) -> None:
    response = await http.post(
        "/graphql",
        content=content,
        headers={**customer.headers, "Content-Type": content_type},
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text)


async def test_a_multipart_request_with_broken_operations_is_a_client_error(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    response = await http.post(
        "/graphql",
        data={"operations": "{", "map": "{}"},
        files={"0": ("rut.pdf", pdf("x"), "application/pdf")},
        headers=customer.headers,
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
