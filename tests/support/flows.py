"""Steps of the request flow over GraphQL, shared by API and end-to-end tests."""

from datetime import date
from typing import Any

from tests.support.files import pdf
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
