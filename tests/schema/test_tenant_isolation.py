"""Tenant isolation: a company user never sees nor touches another company's rows, and cannot
even tell them apart from rows that do not exist. Reviewers see every company."""

import base64
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from domain.enums import Role
from models import Company
from resolvers.ids import to_global_id
from tests.schema.helpers import auth, only_error, path_of, post_graphql
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import pdf
from tests.support.flows import REPRESENTATIVE, approve, legal_entity_documents, reject, submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.operations import (
    APPROVE,
    CHANGE_STATE,
    NODE,
    REJECT,
    REQUESTS,
    RESUBMIT,
    SUBMIT,
    TRACKING,
    UPDATE_CONTACT,
)
from tests.support.refusals import assert_refused

TODAY = date(2026, 11, 24)
ISSUED_ON = TODAY - timedelta(days=5)
VALID_FROM = datetime(2026, 11, 24, 15, tzinfo=UTC).isoformat()  # the clock: starts at once
VALID_UNTIL = datetime(2027, 11, 24, 15, tzinfo=UTC).isoformat()
ONE_MONTH_LATER = datetime(2026, 12, 24, 15, tzinfo=UTC).isoformat()
ORIGINAL_CONTACT = {"name": "María Peña", "email": "contacto@ejemplo.co"}
MADE_UP = 999_999


@dataclass(frozen=True)
class World:
    """`customer`'s company: a REJECTED request (A, with a flagged RUT), a COMPLETED one (B) and
    its ACTIVE certificate. `other_customer`'s company has one request of its own in review."""

    company_id: str
    nit: str
    user_id: str
    rejected: dict[str, Any]
    completed: dict[str, Any]
    certificate_id: str
    document: dict[str, Any]
    document_bytes: bytes
    other_request_id: str

    @property
    def ids(self) -> dict[str, str]:
        return {
            "company": self.company_id,
            "rejected request": self.rejected["id"],
            "completed request": self.completed["id"],
            "certificate": self.certificate_id,
            "document": self.document["id"],
            "user": self.user_id,
        }


@pytest.fixture
async def world(
    gql: GraphQLClient, customer: Caller, other_customer: Caller, reviewer: Caller
) -> World:
    # B first, approved for one month, so its renewal window is open at once: A, the renewal,
    # is the request left rejected (a company has at most one open request).
    second = await submit(gql, customer.token, issued_on=ISSUED_ON, idempotencyKey="b")
    assert second["errors"] == []
    approved = await approve(
        gql, reviewer.token, second["request"]["id"], "SN-1", VALID_FROM, ONE_MONTH_LATER
    )
    assert approved["errors"] == []
    first = await submit(gql, customer.token, issued_on=ISSUED_ON, idempotencyKey="a")
    assert first["errors"] == []
    rut = next(d for d in first["request"]["documents"] if d["kind"] == "RUT")
    rejected = await reject(
        gql, reviewer.token, first["request"]["id"], "RUT viejo.", {rut["id"]: "Actualízalo."}
    )
    assert rejected["errors"] == []
    theirs = await submit(gql, other_customer.token, issued_on=ISSUED_ON, idempotencyKey="c")
    assert theirs["errors"] == []
    assert customer.user.company_id is not None
    document = next(d for d in second["request"]["documents"] if d["kind"] == "RUT")
    company = await Company.get(id=customer.user.company_id)
    return World(
        company_id=to_global_id("Company", customer.user.company_id),
        nit=company.nit,
        user_id=to_global_id("User", customer.user.id),
        rejected=rejected["request"],
        completed=approved["request"],
        certificate_id=approved["certificate"]["id"],
        document=document,
        document_bytes=pdf("RUTb"),
        other_request_id=theirs["request"]["id"],
    )


def made_up(global_id: str) -> str:
    """An id of the same type as `global_id` for a row that does not exist."""
    type_name = base64.urlsafe_b64decode(global_id).decode().partition(":")[0]
    return to_global_id(type_name, MADE_UP)


async def assert_world_untouched(gql: GraphQLClient, customer: Caller, world: World) -> None:
    screen = data_of(await gql.execute(TRACKING, token=customer.token))["certificateTracking"]
    assert screen["company"]["principalContact"] == ORIGINAL_CONTACT
    assert (screen["certificate"]["id"], screen["certificate"]["status"]) == (
        world.certificate_id,
        "ACTIVE",
    )
    page = data_of(await gql.execute(REQUESTS, token=customer.token))["certificateRequests"]
    assert page["totalCount"] == 2
    statuses = {edge["node"]["id"]: edge["node"]["status"] for edge in page["edges"]}
    assert statuses == {world.rejected["id"]: "REJECTED", world.completed["id"]: "COMPLETED"}
    body = await gql.execute(
        "query($id: ID!) { node(id: $id) { ... on CertificateRequest { attempt observations"
        " documents { id observation } history { toStatus } } } }",
        {"id": world.rejected["id"]},
        token=customer.token,
    )
    rejected = data_of(body)["node"]
    assert rejected["attempt"] == 1
    assert rejected["observations"] == "RUT viejo."
    assert [h["toStatus"] for h in rejected["history"]] == ["IN_REVIEW", "REJECTED"]
    assert [d["id"] for d in rejected["documents"]] == [
        d["id"] for d in world.rejected["documents"]
    ]


# --- node(id) ----------------------------------------------------------------------------------

NODE_KINDS = ["company", "rejected request", "completed request", "certificate", "document", "user"]


@pytest.mark.parametrize("kind", NODE_KINDS)
async def test_another_company_user_gets_null_for_each_node_as_for_a_missing_one(
    gql: GraphQLClient, other_customer: Caller, world: World, kind: str
) -> None:
    foreign = await gql.execute(NODE, {"id": world.ids[kind]}, token=other_customer.token)
    missing = await gql.execute(NODE, {"id": made_up(world.ids[kind])}, token=other_customer.token)
    assert foreign == {"data": {"node": None}}
    assert foreign == missing


@pytest.mark.parametrize("kind", NODE_KINDS)
@pytest.mark.parametrize("who", ["owner", "reviewer"])
async def test_the_owner_and_a_reviewer_see_each_node(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, world: World, kind: str, who: str
) -> None:
    caller = customer if who == "owner" else reviewer
    node = data_of(await gql.execute(NODE, {"id": world.ids[kind]}, token=caller.token))["node"]
    assert node is not None
    assert node["id"] == world.ids[kind]


# --- queries by company ------------------------------------------------------------------------

COMPANY_QUERIES = {
    "certificateTracking": TRACKING,
    "certificateRequests": REQUESTS,
}


@pytest.mark.parametrize("field", COMPANY_QUERIES.keys())
async def test_naming_another_company_is_not_found_exactly_like_a_made_up_one(
    gql: GraphQLClient, other_customer: Caller, world: World, field: str
) -> None:
    query = COMPANY_QUERIES[field]
    foreign = await gql.execute(query, {"companyId": world.company_id}, token=other_customer.token)
    missing = await gql.execute(
        query, {"companyId": to_global_id("Company", MADE_UP)}, token=other_customer.token
    )
    error = only_error(foreign)
    assert foreign["data"] is None
    assert (error["extensions"]["code"], error["message"]) == (
        "NOT_FOUND",
        "No encontramos la empresa.",
    )
    assert world.nit not in str(foreign)
    assert foreign == missing


async def test_listing_requests_without_a_company_lists_only_ones_own(
    gql: GraphQLClient, other_customer: Caller, world: World
) -> None:
    for status in [None, "IN_REVIEW", "REJECTED", "COMPLETED"]:
        page = data_of(await gql.execute(REQUESTS, {"status": status}, token=other_customer.token))[
            "certificateRequests"
        ]
        own = [edge["node"]["id"] for edge in page["edges"]]
        expected = [world.other_request_id] if status in (None, "IN_REVIEW") else []
        assert (own, page["totalCount"]) == (expected, len(expected)), status
        assert world.nit not in {edge["node"]["company"]["nit"] for edge in page["edges"]}


async def test_a_reviewer_lists_and_tracks_every_company(
    gql: GraphQLClient, reviewer: Caller, world: World
) -> None:
    page = data_of(await gql.execute(REQUESTS, token=reviewer.token))["certificateRequests"]
    assert page["totalCount"] == 3
    screen = data_of(
        await gql.execute(TRACKING, {"companyId": world.company_id}, token=reviewer.token)
    )["certificateTracking"]
    assert screen["certificate"]["id"] == world.certificate_id


# --- mutations ---------------------------------------------------------------------------------


def foreign_mutations(world: World) -> dict[str, tuple[str, dict[str, Any], bool]]:
    """name → (document, input, has uploads), aimed at `customer`'s rows."""
    documents, _ = legal_entity_documents(ISSUED_ON, tag="intruso")
    return {
        "submitCertificateRequest": (
            SUBMIT,
            {
                "documents": documents,
                "legalRepresentative": REPRESENTATIVE,
                "companyId": world.company_id,
            },
            True,
        ),
        "resubmitCertificateRequest": (
            RESUBMIT,
            {"requestId": world.rejected["id"], "documents": [{"kind": "RUT", "file": None}]},
            True,
        ),
        "changeCertificateState": (
            CHANGE_STATE,
            {"certificateId": world.certificate_id, "status": "REVOKED", "reason": "Sabotaje."},
            False,
        ),
        "updatePrincipalContact": (
            UPDATE_CONTACT,
            {"name": "Intruso", "email": "intruso@ejemplo.co", "companyId": world.company_id},
            False,
        ),
    }


UPLOADS = {
    "submitCertificateRequest": legal_entity_documents(ISSUED_ON, tag="intruso")[1],
    "resubmitCertificateRequest": {
        "input.documents.0.file": ("rut.pdf", pdf("intruso"), "application/pdf")
    },
}
ID_FIELDS = {
    "submitCertificateRequest": "companyId",
    "resubmitCertificateRequest": "requestId",
    "changeCertificateState": "certificateId",
    "updatePrincipalContact": "companyId",
}

#: What each refusal says: the row named, as for one that does not exist.
NOT_FOUND_MESSAGES = {
    "submitCertificateRequest": "No encontramos la empresa.",
    "resubmitCertificateRequest": "No encontramos la solicitud.",
    "changeCertificateState": "No encontramos el certificado.",
    "updatePrincipalContact": "No encontramos la empresa.",
}


@pytest.mark.parametrize("name", ID_FIELDS.keys())
async def test_mutations_on_another_companys_rows_are_not_found_and_change_nothing(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    customer: Caller,
    other_customer: Caller,
    world: World,
    name: str,
) -> None:
    document, variables, has_uploads = foreign_mutations(world)[name]
    files = UPLOADS[name] if has_uploads else None
    foreign = await post_graphql(
        http, document, {"input": variables}, other_customer.headers, files
    )
    payload = data_of(foreign)[name]
    assert_refused(payload, "NOT_FOUND", message=NOT_FOUND_MESSAGES[name])

    # The same answer as for a row that does not exist.
    id_field = ID_FIELDS[name]
    missing_variables = {**variables, id_field: made_up(variables[id_field])}
    missing = await post_graphql(
        http, document, {"input": missing_variables}, other_customer.headers, files
    )
    assert data_of(missing)[name] == payload

    await assert_world_untouched(gql, customer, world)


@pytest.mark.parametrize("decision", ["reject", "approve"])
async def test_a_customer_cannot_decide_another_companys_request(
    gql: GraphQLClient, customer: Caller, other_customer: Caller, world: World, decision: str
) -> None:
    # Resubmitted by its owner so that it is IN_REVIEW, i.e. open to a decision.
    resubmitted = data_of(
        await gql.upload(
            RESUBMIT,
            {
                "input": {
                    "requestId": world.rejected["id"],
                    "documents": [{"kind": "RUT", "file": None}],
                }
            },
            {"input.documents.0.file": ("rut.pdf", pdf("rut-v2"), "application/pdf")},
            token=customer.token,
        )
    )["resubmitCertificateRequest"]
    assert resubmitted["errors"] == []
    if decision == "reject":
        document, variables = REJECT, {"requestId": world.rejected["id"], "observations": "No."}
    else:
        document, variables = (
            APPROVE,
            {
                "requestId": world.rejected["id"],
                "serialNumber": "SN-INTRUSO",
                "validFrom": VALID_FROM,
                "validUntil": VALID_UNTIL,
            },
        )
    body = await gql.execute(document, {"input": variables}, token=other_customer.token)
    payload = data_of(body)[f"{decision}CertificateRequest"]
    verb = "rechazar" if decision == "reject" else "aprobar"
    assert_refused(payload, "FORBIDDEN", message=f"Tu rol no permite {verb} solicitudes.")

    node = data_of(await gql.execute(NODE, {"id": world.rejected["id"]}, token=customer.token))
    assert node["node"]["status"] == "IN_REVIEW"


async def test_an_idempotency_key_used_by_another_company_returns_nothing_of_theirs(
    gql: GraphQLClient, customer: Caller, world: World
) -> None:
    stranger = await make_caller(Role.CUSTOMER, await make_company(name="Tercera S.A.S."))
    # "b" is the key `customer` submitted its completed request with.
    payload = await submit(gql, stranger.token, issued_on=ISSUED_ON, idempotencyKey="b")
    assert payload["errors"] == []
    request = payload["request"]
    assert request["id"] not in (world.completed["id"], world.rejected["id"])
    assert (request["status"], request["attempt"]) == ("IN_REVIEW", 1)
    await assert_world_untouched(gql, customer, world)


# --- document downloads ------------------------------------------------------------------------


@pytest.fixture(params=["owner", "reviewer", "admin"])
def entitled(
    request: pytest.FixtureRequest, customer: Caller, reviewer: Caller, admin: Caller
) -> Caller:
    return {"owner": customer, "reviewer": reviewer, "admin": admin}[request.param]


async def test_the_owner_a_reviewer_and_an_admin_download_the_exact_file(
    http: httpx.AsyncClient, world: World, entitled: Caller
) -> None:
    response = await http.get(path_of(world.document["downloadUrl"]), headers=entitled.headers)
    assert response.status_code == 200
    assert response.content == world.document_bytes
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert world.document["fileName"] in disposition


async def test_another_company_user_gets_404_without_the_file(
    http: httpx.AsyncClient, other_customer: Caller, world: World
) -> None:
    url = path_of(world.document["downloadUrl"])
    assert url == f"/documents/{world.document['id']}"
    foreign = await http.get(url, headers=other_customer.headers)
    assert foreign.status_code == 404
    assert b"%PDF" not in foreign.content
    assert "content-disposition" not in foreign.headers
    missing = await http.get(
        f"/documents/{to_global_id('RequestDocument', MADE_UP)}", headers=other_customer.headers
    )
    assert (missing.status_code, missing.content) == (404, foreign.content)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer cdt_desconocido"}, {"Authorization": "Basic YTpi"}],
    ids=["no token", "unknown token", "other scheme"],
)
async def test_a_download_without_a_valid_token_is_401(
    http: httpx.AsyncClient, world: World, headers: dict[str, str]
) -> None:
    response = await http.get(path_of(world.document["downloadUrl"]), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert b"%PDF" not in response.content


@pytest.mark.parametrize("kind", ["company", "completed request", "certificate", "user"])
async def test_a_download_by_an_id_that_is_not_a_document_is_404(
    http: httpx.AsyncClient, customer: Caller, world: World, kind: str
) -> None:
    response = await http.get(f"/documents/{world.ids[kind]}", headers=auth(customer))
    assert response.status_code == 404
    assert b"%PDF" not in response.content
