"""Authentication: a call without a valid bearer token gets UNAUTHENTICATED and changes nothing;
`viewer` answers who the caller is."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.clock import FixedClock
from domain.enums import Role
from models import ApiToken, Company, User
from resolvers.ids import to_global_id
from server.settings import Settings
from services.auth import issue_token
from tests.schema.helpers import only_error, post_graphql
from tests.support.factories import Caller, make_caller
from tests.support.files import pdf
from tests.support.flows import REPRESENTATIVE, legal_entity_documents
from tests.support.graphql import GraphQLClient, data_of
from tests.support.operations import (
    APPROVE,
    CHANGE_STATE,
    REJECT,
    RESUBMIT,
    SUBMIT,
    TRACKING,
    UPDATE_CONTACT,
    VIEWER,
)
from tests.support.refusals import assert_user_error

TODAY = date(2026, 11, 24)

#: Authorization headers that name nobody: each must be treated like no header at all.
BAD_HEADERS = {
    "no header": {},
    "empty bearer": {"Authorization": "Bearer "},
    "scheme only": {"Authorization": "Bearer"},
    "basic scheme": {"Authorization": "Basic Y2FtaWxhOmNsYXZl"},
    "token without scheme": {"Authorization": "cdt_" + "A" * 43},
    "not our token format": {"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."},
    "unknown token": {"Authorization": "Bearer cdt_" + "x" * 43},
    "garbage": {"Authorization": "Bearer \t;;;'\" DROP TABLE users"},
}

UNAUTHENTICATED = "Inicia sesión: envía un token válido en el encabezado Authorization."


@pytest.fixture(params=["expired", "revoked", "deactivated user"])
async def dead_token_headers(
    request: pytest.FixtureRequest, customer: Caller, clock: FixedClock
) -> dict[str, str]:
    """A real token of a colleague of `customer` that no longer authenticates anyone."""
    caller = await make_caller(Role.CUSTOMER, await Company.get(id=customer.user.company_id))
    if request.param == "expired":
        token = await issue_token(
            caller.user.email, now=clock.now() - timedelta(days=3), expires_in_days=1
        )
    else:
        token = caller.token
        if request.param == "revoked":
            await ApiToken.filter(user_id=caller.user.id).update(revoked_at=clock.now())
        else:
            await User.filter(id=caller.user.id).update(is_active=False)
    return {"Authorization": f"Bearer {token}"}


def documents_in_store(settings: Settings) -> list[Path]:
    folder = settings.documents_dir
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


async def assert_upload_refused_without_authorization(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    files: dict[str, tuple[str, bytes, str]],
) -> None:
    names = {str(i): path for i, path in enumerate(files)}
    data = {
        "operations": json.dumps({"query": query, "variables": variables}),
        "map": json.dumps({key: [f"variables.{path}"] for key, path in names.items()}),
    }
    multipart = {key: files[path] for key, path in names.items()}
    response = await http.post("/graphql", data=data, files=multipart)
    assert response.status_code == 400
    assert "Authorization" in response.text


async def every_mutation(
    http: httpx.AsyncClient, headers: dict[str, str], request: dict[str, Any], company_id: str
) -> dict[str, dict[str, Any]]:
    """Each mutation, aimed at the customer's real request and company; name → payload."""
    documents, files = legal_entity_documents(TODAY - timedelta(days=5), tag="intruder")
    uploads = {
        "submitCertificateRequest": (
            SUBMIT,
            {"input": {"documents": documents, "legalRepresentative": REPRESENTATIVE}},
            files,
        ),
        "resubmitCertificateRequest": (
            RESUBMIT,
            {"input": {"requestId": request["id"], "documents": [{"kind": "RUT", "file": None}]}},
            {"input.documents.0.file": ("rut.pdf", pdf("intruder-rut"), "application/pdf")},
        ),
    }
    answers: dict[str, dict[str, Any]] = {}
    for name, (query, variables, upload_files) in uploads.items():
        if "Authorization" in headers:
            answers[name] = await post_graphql(http, query, variables, headers, upload_files)
        else:
            # The CSRF guard refuses a multipart request without Authorization before parsing.
            await assert_upload_refused_without_authorization(http, query, variables, upload_files)
    answers |= {
        "rejectCertificateRequest": await post_graphql(
            http,
            REJECT,
            {"input": {"requestId": request["id"], "observations": "Rechazo sin sesión."}},
            headers,
        ),
        "approveCertificateRequest": await post_graphql(
            http,
            APPROVE,
            {
                "input": {
                    "requestId": request["id"],
                    "serialNumber": "SN-INTRUSO",
                    "validFrom": datetime(2026, 11, 25, 5, tzinfo=UTC).isoformat(),
                    "validUntil": datetime(2027, 11, 25, 5, tzinfo=UTC).isoformat(),
                }
            },
            headers,
        ),
        "changeCertificateState": await post_graphql(
            http,
            CHANGE_STATE,
            {"input": {"certificateId": to_global_id("Certificate", 1), "status": "REVOKED"}},
            headers,
        ),
        "updatePrincipalContact": await post_graphql(
            http,
            UPDATE_CONTACT,
            {"input": {"name": "Intruso", "email": "intruso@ejemplo.co", "companyId": company_id}},
            headers,
        ),
    }
    return {name: data_of(body)[name] for name, body in answers.items()}


async def assert_untouched(
    gql: GraphQLClient, customer: Caller, request: dict[str, Any], settings: Settings
) -> None:
    screen = data_of(await gql.execute(TRACKING, token=customer.token))["certificateTracking"]
    latest = screen["latestRequest"]
    assert (latest["id"], latest["status"], latest["attempt"]) == (request["id"], "IN_REVIEW", 1)
    assert latest["observations"] is None
    assert [h["toStatus"] for h in latest["history"]] == ["IN_REVIEW"]
    assert screen["certificate"] is None
    assert screen["company"]["principalContact"] == {
        "name": "María Peña",
        "email": "contacto@ejemplo.co",
    }
    # Only the customer's three files are stored: nothing an anonymous caller sent.
    assert len(documents_in_store(settings)) == 3


def assert_unauthenticated(payloads: dict[str, dict[str, Any]]) -> None:
    for name, payload in payloads.items():
        assert_user_error(payload["errors"], code="UNAUTHENTICATED", message=UNAUTHENTICATED)
        objects = {key: value for key, value in payload.items() if key != "errors"}
        assert objects, (name, payload)
        assert all(value is None for value in objects.values()), (name, payload)


@pytest.mark.parametrize("headers", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
async def test_every_mutation_without_a_valid_token_is_unauthenticated_and_changes_nothing(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    customer: Caller,
    in_review: dict[str, Any],
    settings: Settings,
    headers: dict[str, str],
) -> None:
    company_id = to_global_id("Company", customer.user.company_id or 0)
    assert_unauthenticated(await every_mutation(http, headers, in_review, company_id))
    await assert_untouched(gql, customer, in_review, settings)


async def test_a_token_that_no_longer_works_is_unauthenticated(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    customer: Caller,
    in_review: dict[str, Any],
    settings: Settings,
    dead_token_headers: dict[str, str],
) -> None:
    company_id = to_global_id("Company", customer.user.company_id or 0)
    assert_unauthenticated(await every_mutation(http, dead_token_headers, in_review, company_id))
    await assert_untouched(gql, customer, in_review, settings)
    body = await post_graphql(http, VIEWER, headers=dead_token_headers)
    error = only_error(body)
    assert (error["extensions"]["code"], error["message"]) == ("UNAUTHENTICATED", UNAUTHENTICATED)


QUERIES = {
    "viewer": VIEWER,
    "certificateTracking": "query { certificateTracking { canSubmitRequest } }",
    "certificateRequests": "query { certificateRequests { totalCount } }",
    "node": 'query { node(id: "Q29tcGFueTox") { id } }',
}


@pytest.mark.parametrize("headers", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
@pytest.mark.parametrize("field", QUERIES.keys())
async def test_queries_without_a_valid_token_fail_with_a_public_unauthenticated_error(
    http: httpx.AsyncClient, customer: Caller, field: str, headers: dict[str, str]
) -> None:
    body = await post_graphql(http, QUERIES[field], headers=headers)
    error = only_error(body)
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}, error
    assert error["path"] == [field]
    # Not the masked "Error inesperado": the message tells the person what to do, in Spanish.
    assert error["message"] == UNAUTHENTICATED
    # `node` is nullable: its field is null; the others are not, so `data` is null.
    assert body["data"] in (None, {"node": None})


async def test_viewer_of_a_customer_is_the_user_and_their_company(
    gql: GraphQLClient, customer: Caller
) -> None:
    viewer = data_of(await gql.execute(VIEWER, token=customer.token))["viewer"]
    company = await Company.get(id=customer.user.company_id)
    assert viewer == {
        "user": {
            "id": to_global_id("User", customer.user.id),
            "email": customer.user.email,
            "name": "Camila Rojas",
            "role": "CUSTOMER",
        },
        "company": {"id": to_global_id("Company", company.id), "nit": company.nit},
    }


@pytest.fixture(params=["REVIEWER", "ADMIN"])
def staff(request: pytest.FixtureRequest, reviewer: Caller, admin: Caller) -> Caller:
    return reviewer if request.param == "REVIEWER" else admin


async def test_viewer_of_staff_has_no_company(gql: GraphQLClient, staff: Caller) -> None:
    caller = staff
    query = "query { viewer { user { id role company { id } } company { id } } }"
    viewer = data_of(await gql.execute(query, token=caller.token))["viewer"]
    assert viewer == {
        "user": {
            "id": to_global_id("User", caller.user.id),
            "role": caller.user.role.value,
            "company": None,
        },
        "company": None,
    }


async def test_the_scheme_is_case_insensitive_and_spaces_are_tolerated(
    http: httpx.AsyncClient, customer: Caller
) -> None:
    body = await post_graphql(
        http, VIEWER, headers={"Authorization": f"  bearer   {customer.token}  "}
    )
    assert data_of(body)["viewer"]["user"]["email"] == customer.user.email


async def test_an_anonymous_call_learns_nothing_from_a_malformed_id(gql: GraphQLClient) -> None:
    body = await gql.execute(
        'mutation { approveCertificateRequest(input: {requestId: "basura", serialNumber: "S",'
        ' validFrom: "2026-11-26T05:00:00+00:00", validUntil: "2027-11-26T05:00:00+00:00"})'
        " { errors { code field } } }"
    )
    assert body["data"]["approveCertificateRequest"]["errors"] == [
        {"code": "UNAUTHENTICATED", "field": None}
    ]
