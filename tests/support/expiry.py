"""A certificate issued over GraphQL a year before its expiry timeline runs, and the stages of
that timeline (each day and the subject of its email), for the expiry, coverage and reminder
settings tests."""

from datetime import datetime, timedelta

from domain.calendar import BOGOTA, local_date
from domain.clock import FixedClock
from tests.support.factories import Caller
from tests.support.flows import approve, submit
from tests.support.graphql import GraphQLClient

ISSUED = datetime(2026, 11, 26, tzinfo=BOGOTA)
VALID_UNTIL = datetime(2027, 11, 26, tzinfo=BOGOTA)


def bogota(month: int, day: int, hour: int = 1) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=BOGOTA)


STAGES = [
    (bogota(10, 26), "Ya puedes renovar tu certificado digital (vence el 26/11/2027)"),
    (bogota(10, 27), "Tu certificado digital vence en 30 días (26/11/2027)"),
    (bogota(11, 11), "Tu certificado digital vence en 15 días (26/11/2027)"),
    (bogota(11, 19), "Tu certificado digital vence en 7 días (26/11/2027)"),
    (bogota(11, 25), "Tu certificado digital vence mañana (26/11/2027)"),
    (bogota(11, 26), "Tu certificado digital venció el 26/11/2027"),
]


async def issue_a_year_ago(
    gql: GraphQLClient, clock: FixedClock, customer: Caller, reviewer: Caller
) -> str:
    clock.set(ISSUED - timedelta(hours=14))
    submitted = await submit(
        gql, customer.token, issued_on=local_date(clock.now()) - timedelta(days=3)
    )
    assert submitted["errors"] == []
    clock.set(ISSUED)  # approved as it starts, so it is Activo at once
    approved = await approve(
        gql,
        reviewer.token,
        submitted["request"]["id"],
        "SN-VENCE-1",
        ISSUED.isoformat(),
        VALID_UNTIL.isoformat(),
    )
    assert approved["errors"] == []
    certificate_id: str = approved["certificate"]["id"]
    return certificate_id
