"""Steps of the request flow over GraphQL, shared by API and end-to-end tests."""

from datetime import date, timedelta
from typing import Any

from domain.calendar import local_date
from domain.clock import FixedClock
from domain.enums import Role
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import PDF, pdf
from tests.support.graphql import GraphQLClient
from tests.support.operations import APPROVE, REJECT, RESUBMIT, SUBMIT

PDF_TYPE = "application/pdf"


def legal_entity_documents(
    issued_on: date, tag: str = ""
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, bytes, str]]]:
    kinds = ["RUT", "LEGAL_REPRESENTATIVE_ID", "CHAMBER_OF_COMMERCE_CERTIFICATE"]
    documents: list[dict[str, Any]] = []
    files: dict[str, tuple[str, bytes, str]] = {}
    for index, kind in enumerate(kinds):
        entry: dict[str, Any] = {"kind": kind, "file": None}
        if kind == "CHAMBER_OF_COMMERCE_CERTIFICATE":
            entry["issuedOn"] = issued_on.isoformat()
        documents.append(entry)
        files[f"input.documents.{index}.file"] = (f"{kind.lower()}.pdf", pdf(kind + tag), PDF_TYPE)
    return documents, files


REPRESENTATIVE = {"name": "Laura Gómez Ñáñez", "idType": "CC", "idNumber": "1020304050"}


async def submit(gql: GraphQLClient, token: str, issued_on: date, **extra: Any) -> dict[str, Any]:
    documents, files = legal_entity_documents(issued_on, tag=str(extra.get("idempotencyKey", "")))
    variables = {"input": {"documents": documents, "legalRepresentative": REPRESENTATIVE, **extra}}
    body = await gql.upload(SUBMIT, variables, files, token=token)
    payload: dict[str, Any] = body["data"]["submitCertificateRequest"]
    return payload


async def reject(
    gql: GraphQLClient, token: str, request_id: str, observations: str, flagged: dict[str, str]
) -> dict[str, Any]:
    body = await gql.execute(
        REJECT,
        {
            "input": {
                "requestId": request_id,
                "observations": observations,
                "documentObservations": [
                    {"documentId": doc_id, "observation": text} for doc_id, text in flagged.items()
                ],
            }
        },
        token=token,
    )
    payload: dict[str, Any] = body["data"]["rejectCertificateRequest"]
    return payload


async def resubmit(
    gql: GraphQLClient, token: str, request_id: str, replacements: dict[str, bytes], **extra: Any
) -> dict[str, Any]:
    documents = []
    files = {}
    for index, (kind, content) in enumerate(replacements.items()):
        documents.append({"kind": kind, "file": None, **extra.pop(kind, {})})
        files[f"input.documents.{index}.file"] = (f"{kind.lower()}-v2.pdf", content, PDF_TYPE)
    variables = {"input": {"requestId": request_id, "documents": documents, **extra}}
    body = await gql.upload(RESUBMIT, variables, files, token=token)
    payload: dict[str, Any] = body["data"]["resubmitCertificateRequest"]
    return payload


async def approve(
    gql: GraphQLClient, token: str, request_id: str, serial: str, valid_from: str, valid_until: str
) -> dict[str, Any]:
    body = await gql.execute(
        APPROVE,
        {
            "input": {
                "requestId": request_id,
                "serialNumber": serial,
                "validFrom": valid_from,
                "validUntil": valid_until,
            }
        },
        token=token,
    )
    payload: dict[str, Any] = body["data"]["approveCertificateRequest"]
    return payload


async def three_requests(gql: GraphQLClient, reviewer: Caller, clock: FixedClock) -> None:
    """Three companies' requests, 7 minutes apart, chambers issued 3 days before the clock's day:
    one in review, one rejected and resubmitted (3 history rows, a replaced document), one
    completed."""
    issued_on = local_date(clock.now()) - timedelta(days=3)
    ids = []
    for name in ("Empresa Uno", "Empresa Dos", "Empresa Tres"):
        caller = await make_caller(Role.CUSTOMER, await make_company(name=name))
        submitted = await submit(gql, caller.token, issued_on=issued_on)
        assert submitted["errors"] == []
        ids.append((caller, submitted["request"]["id"]))
        clock.advance(timedelta(minutes=7))
    _, (second, second_id), (_, third_id) = ids
    assert (await reject(gql, reviewer.token, second_id, "Falta la firma.", {}))["errors"] == []
    assert (await resubmit(gql, second.token, second_id, {"RUT": PDF + b"2"}))["errors"] == []
    approved = await approve(
        gql,
        reviewer.token,
        third_id,
        "SN-1",
        "2026-11-25T05:00:00+00:00",
        "2027-11-25T05:00:00+00:00",
    )
    assert approved["errors"] == []


async def queue_of_three(gql: GraphQLClient, reviewer: Caller, clock: FixedClock) -> None:
    """In review: two overdue requests (one rejected and resubmitted: a longer history, a
    replaced document) and a fresh one; a fourth, approved, is not in the queue."""
    today = local_date(clock.now())
    await three_requests(gql, reviewer, clock)
    clock.advance(timedelta(days=5))
    fresh = await make_caller(Role.CUSTOMER, await make_company(name="Empresa Cuatro"))
    assert (await submit(gql, fresh.token, issued_on=today))["errors"] == []
