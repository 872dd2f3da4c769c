"""Roles: customers do not decide requests, reviewers do not act for companies, operators act for
the company they name."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from resolvers.ids import to_global_id
from tests.support.factories import Caller
from tests.support.files import pdf
from tests.support.flows import approve, reject, resubmit, submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.operations import CHANGE_STATE, REQUESTS, TRACKING, UPDATE_CONTACT
from tests.support.refusals import assert_refused

TODAY = date(2026, 11, 24)
ISSUED_ON = TODAY - timedelta(days=5)
VALID_FROM = datetime(2026, 11, 24, 15, tzinfo=UTC).isoformat()  # the clock: starts at once
VALID_UNTIL = datetime(2027, 11, 24, 15, tzinfo=UTC).isoformat()
ORIGINAL_CONTACT = {"name": "María Peña", "email": "contacto@ejemplo.co"}


def company_id(caller: Caller) -> str:
    assert caller.user.company_id is not None
    return to_global_id("Company", caller.user.company_id)


@pytest.fixture
async def approved(
    gql: GraphQLClient, reviewer: Caller, in_review: dict[str, Any]
) -> dict[str, Any]:
    payload = await approve(gql, reviewer.token, in_review["id"], "SN-1", VALID_FROM, VALID_UNTIL)
    assert payload["errors"] == []
    return payload


async def tracking(gql: GraphQLClient, caller: Caller) -> dict[str, Any]:
    screen: dict[str, Any] = data_of(await gql.execute(TRACKING, token=caller.token))[
        "certificateTracking"
    ]
    return screen


# --- customers ---------------------------------------------------------------------------------


async def test_a_customer_cannot_reject_its_own_request(
    gql: GraphQLClient, customer: Caller, in_review: dict[str, Any]
) -> None:
    rut = next(d for d in in_review["documents"] if d["kind"] == "RUT")
    payload = await reject(
        gql, customer.token, in_review["id"], "Me rechazo yo mismo.", {rut["id"]: "Malo."}
    )
    assert_refused(payload, "FORBIDDEN", message="Tu rol no permite rechazar solicitudes.")

    screen = await tracking(gql, customer)
    latest = screen["latestRequest"]
    assert (latest["id"], latest["status"], latest["observations"]) == (
        in_review["id"],
        "IN_REVIEW",
        None,
    )
    assert [d["observation"] for d in latest["documents"]] == [None, None, None]
    assert [h["toStatus"] for h in latest["history"]] == ["IN_REVIEW"]


async def test_a_customer_cannot_approve_its_own_request(
    gql: GraphQLClient, customer: Caller, in_review: dict[str, Any]
) -> None:
    payload = await approve(
        gql, customer.token, in_review["id"], "SN-PROPIO", VALID_FROM, VALID_UNTIL
    )
    assert_refused(payload, "FORBIDDEN", message="Tu rol no permite aprobar solicitudes.")

    screen = await tracking(gql, customer)
    assert screen["latestRequest"]["status"] == "IN_REVIEW"
    assert [h["toStatus"] for h in screen["latestRequest"]["history"]] == ["IN_REVIEW"]
    assert screen["certificate"] is None
    node = data_of(
        await gql.execute(
            "query($id: ID!) { node(id: $id) { ... on CertificateRequest { status certificate { id } } } }",
            {"id": in_review["id"]},
            token=customer.token,
        )
    )["node"]
    assert node == {"status": "IN_REVIEW", "certificate": None}


# --- reviewers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name_the_company", [True, False], ids=["with companyId", "without"])
async def test_a_reviewer_cannot_submit(
    gql: GraphQLClient, reviewer: Caller, customer: Caller, name_the_company: bool
) -> None:
    extra = {"companyId": company_id(customer)} if name_the_company else {}
    assert_refused(
        await submit(gql, reviewer.token, issued_on=ISSUED_ON, **extra),
        "FORBIDDEN",
        message="Tu rol no permite enviar solicitudes de certificado.",
    )

    page = data_of(
        await gql.execute(REQUESTS, {"companyId": company_id(customer)}, token=reviewer.token)
    )["certificateRequests"]
    assert page["totalCount"] == 0


async def test_a_reviewer_cannot_resubmit(
    gql: GraphQLClient, reviewer: Caller, customer: Caller, in_review: dict[str, Any]
) -> None:
    rejected = await reject(gql, reviewer.token, in_review["id"], "Falta firma.", {})
    assert rejected["errors"] == []
    assert_refused(
        await resubmit(gql, reviewer.token, in_review["id"], {"RUT": pdf("rut-2")}),
        "FORBIDDEN",
        message="Tu rol no permite reenviar solicitudes de certificado.",
    )

    latest = (await tracking(gql, customer))["latestRequest"]
    assert (latest["status"], latest["attempt"]) == ("REJECTED", 1)


async def test_a_reviewer_cannot_change_a_certificates_state(
    gql: GraphQLClient, reviewer: Caller, customer: Caller, approved: dict[str, Any]
) -> None:
    certificate_id = approved["certificate"]["id"]
    for status in ["INACTIVE", "REVOKED"]:
        body = await gql.execute(
            CHANGE_STATE,
            {"input": {"certificateId": certificate_id, "status": status, "reason": "Porque sí."}},
            token=reviewer.token,
        )
        assert_refused(
            data_of(body)["changeCertificateState"],
            "FORBIDDEN",
            message="Tu rol no permite cambiar el estado de un certificado.",
        )

    certificate = (await tracking(gql, customer))["certificate"]
    assert (certificate["id"], certificate["status"]) == (certificate_id, "ACTIVE")


@pytest.mark.parametrize("name_the_company", [True, False], ids=["with companyId", "without"])
async def test_a_reviewer_cannot_update_the_principal_contact(
    gql: GraphQLClient, reviewer: Caller, customer: Caller, name_the_company: bool
) -> None:
    contact: dict[str, Any] = {"name": "Revisor", "email": "revisor@andes.co"}
    if name_the_company:
        contact["companyId"] = company_id(customer)
    body = await gql.execute(UPDATE_CONTACT, {"input": contact}, token=reviewer.token)
    assert_refused(
        data_of(body)["updatePrincipalContact"],
        "FORBIDDEN",
        message="Tu rol no permite cambiar el contacto principal.",
    )

    assert (await tracking(gql, customer))["company"]["principalContact"] == ORIGINAL_CONTACT


# --- operators ---------------------------------------------------------------------------------


async def test_an_admin_submits_for_the_company_it_names(
    gql: GraphQLClient, admin: Caller, customer: Caller
) -> None:
    payload = await submit(gql, admin.token, issued_on=ISSUED_ON, companyId=company_id(customer))
    assert payload["errors"] == []
    assert (payload["request"]["status"], payload["request"]["kind"]) == ("IN_REVIEW", "NEW")

    # The company's own user sees it as its request, submitted by the operator.
    latest = (await tracking(gql, customer))["latestRequest"]
    assert latest["id"] == payload["request"]["id"]
    assert latest["history"][0]["actor"] == {"name": "Olga Martínez", "role": "ADMIN"}


async def test_an_admin_must_name_the_company(
    gql: GraphQLClient, admin: Caller, customer: Caller
) -> None:
    payload = await submit(gql, admin.token, issued_on=ISSUED_ON)
    assert_refused(payload, "INVALID_INPUT", "companyId", message="Indica la empresa (companyId).")

    everything = data_of(await gql.execute(REQUESTS, token=admin.token))["certificateRequests"]
    assert everything["totalCount"] == 0
