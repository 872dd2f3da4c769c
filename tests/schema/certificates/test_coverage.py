""" "Can we sign on this date?", the renewal window and the expiry timeline over webhooks, as the
clock moves through a certificate's year."""

from datetime import date, datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from domain.clock import FixedClock
from domain.webhooks import WebhookEventType
from services.dependencies import Dependencies
from services.expire_and_remind import run_daily_job
from tests.support.expiry import STAGES, issue_a_year_ago
from tests.support.factories import Caller
from tests.support.graphql import GraphQLClient, data_of
from tests.support.webhook_receiver import (
    WebhookReceiver,
    register_local_endpoint,
    run_jobs_and_deliver,
)

COVERAGE = """
query($on: Date!) { certificateCoverage(on: $on) {
  on covered reason message certificate { serialNumber status } } }"""

WINDOW = """
query { certificateTracking { certificate { suggestedRenewalWindow { start end } } } }"""

EXPIRING = """
query($from: Date!, $to: Date!, $first: Int, $after: String) {
  certificatesExpiringBetween(from: $from, to: $to, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { serialNumber validUntil } } } }"""


async def coverage(gql: GraphQLClient, caller: Caller, on: date) -> dict[str, Any]:
    result: dict[str, Any] = data_of(
        await gql.execute(COVERAGE, {"on": on.isoformat()}, caller.token)
    )["certificateCoverage"]
    return result


async def test_coverage_follows_the_certificate_through_its_year(
    gql: GraphQLClient, app: Starlette, clock: FixedClock, customer: Caller, reviewer: Caller
) -> None:
    before = await coverage(gql, customer, date(2026, 12, 1))
    assert before["reason"] == "NO_CERTIFICATE"
    await issue_a_year_ago(gql, clock, customer, reviewer)

    # Approved the day before it starts: it will cover the days from its start.
    assert (await coverage(gql, customer, date(2026, 11, 25)))["reason"] == "NOT_YET_STARTED"
    covered = await coverage(gql, customer, date(2027, 3, 1))
    assert covered == {
        "on": "2027-03-01",
        "covered": True,
        "reason": None,
        "message": "Puedes firmar el 01/03/2027 con tu certificado digital.",
        "certificate": {"serialNumber": "SN-VENCE-1", "status": "ACTIVE"},
    }

    deps: Dependencies = app.state.deps
    clock.set(datetime.fromisoformat("2027-11-27T12:00:00-05:00"))
    await run_daily_job(deps, clock.now())
    after = await coverage(gql, customer, date(2027, 11, 27))
    assert after["covered"] is False
    assert after["reason"] == "EXPIRED"
    assert after["certificate"] == {"serialNumber": "SN-VENCE-1", "status": "EXPIRED"}
    assert after["message"] == (
        "No puedes firmar el 27/11/2027: la vigencia de tu certificado termina el 26/11/2027. "
        "Solicita la renovación."
    )
    # A day within its dates: the certificate is Vencido now, so it signs no more.
    within = await coverage(gql, customer, date(2027, 11, 25))
    assert within["reason"] == "EXPIRED"
    assert within["message"] == (
        "No puedes firmar el 25/11/2027: tu certificado está vencido. Solicita la renovación."
    )


async def test_the_tracking_query_carries_the_suggested_renewal_window(
    gql: GraphQLClient, clock: FixedClock, customer: Caller, reviewer: Caller
) -> None:
    await issue_a_year_ago(gql, clock, customer, reviewer)
    screen = data_of(await gql.execute(WINDOW, token=customer.token))["certificateTracking"]
    assert screen["certificate"]["suggestedRenewalWindow"] == {
        "start": "2027-10-26T05:00:00+00:00",
        "end": "2027-11-19T05:00:00+00:00",
    }


async def test_operators_page_through_the_certificates_expiring_in_a_period(
    gql: GraphQLClient, clock: FixedClock, customer: Caller, reviewer: Caller, admin: Caller
) -> None:
    await issue_a_year_ago(gql, clock, customer, reviewer)
    period = {"from": "2027-11-01", "to": "2027-11-30", "first": 1}
    page = data_of(await gql.execute(EXPIRING, period, admin.token))["certificatesExpiringBetween"]
    assert page["totalCount"] == 1
    assert [e["node"]["serialNumber"] for e in page["edges"]] == ["SN-VENCE-1"]
    assert page["pageInfo"]["hasNextPage"] is False
    rest = data_of(
        await gql.execute(EXPIRING, {**period, "after": page["pageInfo"]["endCursor"]}, admin.token)
    )["certificatesExpiringBetween"]
    assert rest["edges"] == []
    outside = data_of(
        await gql.execute(EXPIRING, {"from": "2027-11-27", "to": "2027-12-31"}, admin.token)
    )["certificatesExpiringBetween"]
    assert outside["totalCount"] == 0

    refused = await gql.execute(EXPIRING, period, customer.token)
    assert refused["errors"][0]["message"] == (
        "Solo un operador (ADMIN) puede consultar los certificados por vencer."
    )
    backwards = await gql.execute(EXPIRING, {"from": "2027-12-01", "to": "2027-11-01"}, admin.token)
    assert backwards["errors"][0]["message"] == (
        "La fecha final no puede ser anterior a la fecha inicial."
    )


async def test_the_expiry_timeline_reaches_a_webhook_once_per_stage_in_order(
    gql: GraphQLClient,
    app: Starlette,
    clock: FixedClock,
    customer: Caller,
    reviewer: Caller,
    admin: Caller,
) -> None:
    receiver = WebhookReceiver().start()
    try:
        await register_local_endpoint(
            admin.principal,
            receiver.url,
            [
                WebhookEventType.CERTIFICATE_RENEWAL_OPEN,
                WebhookEventType.CERTIFICATE_REMINDER,
                WebhookEventType.CERTIFICATE_EXPIRED,
            ],
        )
        await issue_a_year_ago(gql, clock, customer, reviewer)
        # A second run two hours after each stage changes nothing.
        instants = [i for at, _ in STAGES for i in (at, at + timedelta(hours=2))]
        await run_jobs_and_deliver(app.state.deps, clock, instants)
        bodies = receiver.bodies()
    finally:
        receiver.stop()
    assert [(b["type"], b["data"].get("reminder", {}).get("stage")) for b in bodies] == [
        ("certificate.renewal_open", "RENEWAL_OPEN"),
        ("certificate.reminder", "BEFORE_EXPIRY_30"),
        ("certificate.reminder", "BEFORE_EXPIRY_15"),
        ("certificate.reminder", "BEFORE_EXPIRY_7"),
        ("certificate.reminder", "BEFORE_EXPIRY_1"),
        ("certificate.expired", None),
    ]
    assert bodies[-1]["data"]["certificate"]["status"] == "EXPIRED"
