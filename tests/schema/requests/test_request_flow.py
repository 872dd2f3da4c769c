"""The whole flow of DOMAIN.md through the real app: submit → reject → resubmit → approve →
tracking → change state → renewal refused before its window, accepted in it."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.clock import FixedClock
from tests.support.factories import Caller
from tests.support.files import pdf
from tests.support.flows import approve, reject, resubmit, submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.operations import CHANGE_STATE, TRACKING
from tests.support.refusals import assert_refused

TODAY = date(2026, 11, 24)


async def tracking(gql: GraphQLClient, caller: Caller) -> dict[str, Any]:
    screen: dict[str, Any] = data_of(await gql.execute(TRACKING, token=caller.token))[
        "certificateTracking"
    ]
    return screen


async def test_the_whole_life_of_a_request_and_its_certificate(
    gql: GraphQLClient, customer: Caller, reviewer: Caller, clock: FixedClock
) -> None:
    # 1. Submit: En trámite, decision expected two Colombian business days later.
    submitted = await submit(gql, customer.token, issued_on=TODAY - timedelta(days=10))
    assert submitted["errors"] == []
    request = submitted["request"]
    assert (request["kind"], request["status"], request["statusLabel"]) == (
        "NEW",
        "IN_REVIEW",
        "En trámite",
    )
    assert request["expectedDecisionBy"] == "2026-11-26"
    assert request["isOverdue"] is False
    assert {d["contentType"] for d in request["documents"]} == {"application/pdf"}
    screen = await tracking(gql, customer)
    assert [n["code"] for n in screen["notices"]] == ["REQUEST_IN_REVIEW"]
    assert screen["notices"][0]["redirectToTracking"] is True
    assert screen["canSubmitRequest"] is False

    # A second submission while in review is refused and writes nothing.
    again = await submit(gql, customer.token, issued_on=TODAY)
    assert_refused(
        again,
        "REQUEST_IN_PROGRESS",
        message="Ya tienes una solicitud en trámite. Haz seguimiento al trámite.",
    )

    # 2. Reject with observations, flagging the RUT.
    rut = next(d for d in request["documents"] if d["kind"] == "RUT")
    rejected = await reject(
        gql,
        reviewer.token,
        request["id"],
        "El RUT no está actualizado.",
        {rut["id"]: "Adjunta el RUT expedido este año."},
    )
    assert rejected["errors"] == []
    assert rejected["request"]["statusLabel"] == "Rechazado"
    screen = await tracking(gql, customer)
    assert screen["latestRequest"]["observations"] == "El RUT no está actualizado."
    flagged = [d for d in screen["latestRequest"]["documents"] if d["observation"]]
    assert [(d["kind"], d["observation"]) for d in flagged] == [
        ("RUT", "Adjunta el RUT expedido este año.")
    ]
    assert [n["code"] for n in screen["notices"]] == ["REQUEST_REJECTED"]

    # 3. Resubmitting without the flagged document is refused; with it, back in review.
    missing = await resubmit(
        gql, customer.token, request["id"], {"LEGAL_REPRESENTATIVE_ID": pdf("cc-v2")}
    )
    assert_refused(
        missing,
        "MISSING_DOCUMENT",
        "documents",
        message="Debes reemplazar el documento «RUT» que el revisor marcó.",
    )
    clock.advance(timedelta(days=1))
    resubmitted = await resubmit(
        gql, customer.token, request["id"], {"RUT": pdf("rut-v2")}, note="RUT actualizado."
    )
    assert resubmitted["errors"] == []
    assert (resubmitted["request"]["status"], resubmitted["request"]["attempt"]) == ("IN_REVIEW", 2)
    assert resubmitted["request"]["observations"] is None
    kinds = sorted(d["kind"] for d in resubmitted["request"]["documents"])
    assert kinds == ["CHAMBER_OF_COMMERCE_CERTIFICATE", "LEGAL_REPRESENTATIVE_ID", "RUT"]
    new_rut = next(d for d in resubmitted["request"]["documents"] if d["kind"] == "RUT")
    assert new_rut["id"] != rut["id"]
    assert new_rut["observation"] is None

    # 4. Approve with a start two days ahead: Completado, certificate Emitido until then, a
    # notice that says from when it can be used; at its start, Activo with no write needed.
    valid_from = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
    valid_until = datetime(2027, 11, 26, 5, 0, tzinfo=UTC)
    approved = await approve(
        gql,
        reviewer.token,
        request["id"],
        "SN-0001",
        valid_from.isoformat(),
        valid_until.isoformat(),
    )
    assert approved["errors"] == []
    assert approved["request"]["statusLabel"] == "Completado"
    certificate = approved["certificate"]
    assert (certificate["status"], certificate["statusLabel"], certificate["issuer"]) == (
        "ISSUED",
        "Emitido",
        "Andes SCD",
    )
    screen = await tracking(gql, customer)
    assert [n["code"] for n in screen["notices"]] == ["CERTIFICATE_ISSUED"]
    assert "desde el 26/11/2026" in screen["notices"][0]["message"]
    assert screen["certificate"]["allowedStateChanges"] == []
    clock.set(valid_from)
    screen = await tracking(gql, customer)
    assert (screen["certificate"]["status"], screen["certificate"]["statusLabel"]) == (
        "ACTIVE",
        "Activo",
    )
    assert screen["certificate"]["id"] == certificate["id"]
    assert screen["certificate"]["validFrom"].startswith("2026-11-26T05:00:00")
    assert screen["certificate"]["validUntil"].startswith("2027-11-26T05:00:00")
    assert screen["certificate"]["renewableFrom"].startswith("2027-10-26T05:00:00")
    assert [n["code"] for n in screen["notices"]] == [
        "REQUEST_APPROVED",
        "CERTIFICATE_NOT_RENEWABLE_YET",
    ]
    assert "Andes aprobó" in screen["notices"][0]["message"]
    assert screen["certificate"]["allowedStateChanges"] == ["INACTIVE", "REVOKED"]
    history = screen["latestRequest"]["history"]
    assert [(h["fromStatus"], h["toStatus"]) for h in history] == [
        (None, "IN_REVIEW"),
        ("IN_REVIEW", "REJECTED"),
        ("REJECTED", "IN_REVIEW"),
        ("IN_REVIEW", "COMPLETED"),
    ]
    assert history[1]["actor"] == {"name": "Andrés Gómez", "role": "REVIEWER"}
    # The date asked for passed while the request waited for its correction: moved to today.
    assert history[2]["note"] == (
        "RUT actualizado.\nFecha de inicio de vigencia: del 24/11/2026 al 25/11/2026."
    )

    # 5. Renewal refused in the first 11 months.
    early = await submit(gql, customer.token, issued_on=TODAY)
    assert_refused(
        early,
        "CERTIFICATE_NOT_RENEWABLE_YET",
        message="Tu certificado está vigente hasta el 26/11/2027. Podrás renovarlo desde el 26/10/2027.",
    )

    # 6. Change state: deactivate, then reactivate.
    body = await gql.execute(
        CHANGE_STATE,
        {"input": {"certificateId": certificate["id"], "status": "INACTIVE"}},
        token=customer.token,
    )
    changed = data_of(body)["changeCertificateState"]
    assert changed["errors"] == []
    assert changed["certificate"]["statusLabel"] == "Inactivo"
    assert changed["certificate"]["allowedStateChanges"] == ["ACTIVE", "REVOKED"]
    body = await gql.execute(
        CHANGE_STATE,
        {"input": {"certificateId": certificate["id"], "status": "ACTIVE"}},
        token=customer.token,
    )
    assert data_of(body)["changeCertificateState"]["certificate"]["status"] == "ACTIVE"

    # 7. In the renewal window: a RENEWAL of the certificate is accepted; at the new one's start
    #    it is ACTIVE and the old one INACTIVE for good, replaced by the new one.
    clock.set(datetime(2027, 10, 27, 15, 0, tzinfo=UTC))
    screen = await tracking(gql, customer)
    assert [n["code"] for n in screen["notices"]] == [
        "REQUEST_APPROVED",
        "CERTIFICATE_RENEWAL_OPEN",
    ]
    assert screen["nextRequestKind"] == "RENEWAL"
    assert screen["certificate"]["canRenew"] is True
    renewal = await submit(gql, customer.token, issued_on=date(2027, 10, 20))
    assert renewal["errors"] == []
    assert renewal["request"]["kind"] == "RENEWAL"
    assert renewal["request"]["renewalOf"] == {"id": certificate["id"]}
    renewed = await approve(
        gql,
        reviewer.token,
        renewal["request"]["id"],
        "SN-0002",
        datetime(2027, 10, 28, 5, tzinfo=UTC).isoformat(),
        datetime(2028, 10, 28, 5, tzinfo=UTC).isoformat(),
    )
    assert renewed["errors"] == []
    # Until the renewal starts the old certificate still signs; the notice says from when.
    assert renewed["certificate"]["status"] == "ISSUED"
    screen = await tracking(gql, customer)
    assert screen["certificate"]["id"] == certificate["id"]
    assert screen["certificate"]["status"] == "ACTIVE"
    assert [n["code"] for n in screen["notices"]] == ["CERTIFICATE_ISSUED"]
    assert screen["canSubmitRequest"] is False
    clock.set(datetime(2027, 10, 28, 5, tzinfo=UTC))
    screen = await tracking(gql, customer)
    assert screen["certificate"]["id"] == renewed["certificate"]["id"]
    assert screen["certificate"]["status"] == "ACTIVE"
    old = data_of(
        await gql.execute(
            "query($id: ID!) { node(id: $id) { ... on Certificate { status replacedBy { id } "
            "allowedStateChanges } } }",
            {"id": certificate["id"]},
            token=customer.token,
        )
    )["node"]
    assert old == {
        "status": "INACTIVE",
        "replacedBy": {"id": renewed["certificate"]["id"]},
        "allowedStateChanges": ["REVOKED"],
    }
