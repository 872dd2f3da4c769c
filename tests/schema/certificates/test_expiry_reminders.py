"""The expiry timeline as the company lives it: emails through a real SMTP server, and the API."""

from datetime import datetime, timedelta
from typing import Any

from starlette.applications import Starlette

from devkit.smtp_server import SmtpServer
from devkit.sqlcount import sql_statements
from domain.calendar import local_date
from domain.clock import FixedClock
from domain.enums import Role
from notifications.transports import SmtpTransport
from notifications.worker import deliver_until_idle
from services.dependencies import Dependencies
from services.expire_and_remind import run_daily_job
from tests.support.expiry import ISSUED, STAGES, VALID_UNTIL, bogota, issue_a_year_ago
from tests.support.factories import Caller, make_caller, make_company
from tests.support.flows import approve, submit
from tests.support.graphql import GraphQLClient, data_of
from tests.support.operations import CHANGE_STATE
from tests.support.refusals import assert_refused

CERTIFICATE = """
query {
  certificateTracking {
    certificate {
      id status statusLabel allowedStateChanges canRenew
      history { fromStatus toStatus actor { name } note }
      reminders { stage daysBeforeExpiry label queuedAt sentAt }
    }
    notices { code }
    nextRequestKind
  }
}
"""


async def tracking(gql: GraphQLClient, caller: Caller) -> dict[str, Any]:
    screen: dict[str, Any] = data_of(await gql.execute(CERTIFICATE, token=caller.token))[
        "certificateTracking"
    ]
    return screen


class Timeline:
    """Stands the clock at an instant, runs the job as the server does and delivers its emails."""

    def __init__(self, app: Starlette, clock: FixedClock, smtp_server: SmtpServer) -> None:
        self.deps: Dependencies = app.state.deps
        self.clock = clock
        self.transport = SmtpTransport.from_url(smtp_server.url)
        self.smtp_server = smtp_server

    async def run(self, at: datetime) -> list[str]:
        """The subjects of the emails this run sent."""
        before = len(self.smtp_server.messages)
        self.clock.set(at)
        await run_daily_job(self.deps, at)
        await deliver_until_idle(self.transport, self.clock)
        return [str(m.message["Subject"]) for m in self.smtp_server.messages[before:]]


async def test_a_year_old_certificate_gets_every_email_once_then_expires(
    gql: GraphQLClient,
    app: Starlette,
    clock: FixedClock,
    customer: Caller,
    reviewer: Caller,
    smtp_server: SmtpServer,
) -> None:
    await issue_a_year_ago(gql, clock, customer, reviewer)
    timeline = Timeline(app, clock, smtp_server)
    already = len(smtp_server.messages)
    await deliver_until_idle(timeline.transport, clock)  # received and approved
    assert len(smtp_server.messages) == already + 2

    assert await timeline.run(bogota(10, 25, 23)) == []
    for at, subject in STAGES:
        assert await timeline.run(at - timedelta(hours=2)) == []  # 23:00 the day before
        assert await timeline.run(at) == [subject]
        assert await timeline.run(at + timedelta(hours=1)) == []  # the next hourly run
    assert await timeline.run(bogota(12, 1)) == []

    timeline_messages = smtp_server.messages[-len(STAGES) :]
    assert {m.rcpt_tos for m in timeline_messages} == {("contacto@ejemplo.co",)}
    assert len({m.message_id for m in timeline_messages}) == len(STAGES)
    reminder = timeline_messages[2].message.get_body(preferencelist=("plain",))
    assert reminder is not None
    assert "26/11/2027 a las 00:00 (hora de Bogotá)" in reminder.get_content()

    screen = await tracking(gql, customer)
    certificate = screen["certificate"]
    assert (certificate["status"], certificate["statusLabel"]) == ("EXPIRED", "Vencido")
    assert certificate["allowedStateChanges"] == []
    assert certificate["history"][-1] == {
        "fromStatus": "ACTIVE",
        "toStatus": "EXPIRED",
        "actor": None,
        "note": "Venció el 26/11/2027.",
    }
    reminders = certificate["reminders"]
    assert [(r["stage"], r["daysBeforeExpiry"]) for r in reminders] == [
        ("RENEWAL_OPEN", None),
        ("BEFORE_EXPIRY", 30),
        ("BEFORE_EXPIRY", 15),
        ("BEFORE_EXPIRY", 7),
        ("BEFORE_EXPIRY", 1),
        ("EXPIRED", None),
    ]
    assert reminders[3]["label"] == "Recordatorio 7 días antes del vencimiento"
    for reminder_row, (at, _) in zip(reminders, STAGES, strict=True):
        assert datetime.fromisoformat(reminder_row["queuedAt"]) == at
        assert datetime.fromisoformat(reminder_row["sentAt"]) == at  # delivered at once
    assert [n["code"] for n in screen["notices"]] == ["CERTIFICATE_EXPIRED"]

    # Expired: it cannot be made active again, and the company may ask for its renewal.
    body = await gql.execute(
        CHANGE_STATE,
        {"input": {"certificateId": certificate["id"], "status": "ACTIVE"}},
        token=customer.token,
    )
    payload = data_of(body)["changeCertificateState"]
    assert_refused(
        payload,
        "INVALID_STATE_TRANSITION",
        message="El certificado está en estado «Vencido» y no se puede activar.",
    )
    assert screen["nextRequestKind"] == "RENEWAL"
    clock.set(bogota(12, 1, 10))
    renewal = await submit(gql, customer.token, issued_on=local_date(clock.now()))
    assert renewal["errors"] == []
    assert renewal["request"]["kind"] == "RENEWAL"
    assert renewal["request"]["renewalOf"] == {"id": certificate["id"]}


async def test_a_renewal_approved_at_stage_15_silences_stages_7_and_1(
    gql: GraphQLClient,
    app: Starlette,
    clock: FixedClock,
    customer: Caller,
    reviewer: Caller,
    smtp_server: SmtpServer,
) -> None:
    old_id = await issue_a_year_ago(gql, clock, customer, reviewer)
    timeline = Timeline(app, clock, smtp_server)
    await deliver_until_idle(timeline.transport, clock)  # received and approved
    for at, subject in STAGES[:3]:
        assert await timeline.run(at) == [subject]

    clock.set(bogota(11, 11, 9))
    renewal = await submit(gql, customer.token, issued_on=local_date(clock.now()))
    assert renewal["request"]["kind"] == "RENEWAL"
    approved = await approve(
        gql,
        reviewer.token,
        renewal["request"]["id"],
        "SN-VENCE-2",
        VALID_UNTIL.isoformat(),
        (VALID_UNTIL + timedelta(days=366)).isoformat(),
    )
    assert approved["errors"] == []
    await deliver_until_idle(timeline.transport, clock)  # received and approved

    # No more reminders for the old one; when it ends the renewal starts, and says so.
    subjects = [await timeline.run(at) for at, _ in STAGES[3:]]
    assert subjects == [[], [], ["Tu certificado digital ya está activo"]]
    screen = await tracking(gql, customer)
    assert screen["certificate"]["id"] == approved["certificate"]["id"]
    assert screen["certificate"]["status"] == "ACTIVE"
    assert screen["certificate"]["reminders"] == []

    body = await gql.execute(
        "query($id: ID!) { node(id: $id) { ... on Certificate { status reminders { stage } } } }",
        {"id": old_id},
        token=customer.token,
    )
    old = data_of(body)["node"]
    assert old["status"] == "EXPIRED"
    assert [r["stage"] for r in old["reminders"]] == [
        "RENEWAL_OPEN",
        "BEFORE_EXPIRY",
        "BEFORE_EXPIRY",
    ]


QUEUE = """
query {
  certificateRequests(first: 20) {
    edges { node { certificate { serialNumber %s } } }
  }
}
"""


async def test_reminders_load_in_one_batch_for_a_whole_page(
    gql: GraphQLClient, app: Starlette, clock: FixedClock, reviewer: Caller
) -> None:
    for n in range(4):
        caller = await make_caller(Role.CUSTOMER, await make_company(), name=f"Empresa {n}")
        clock.set(ISSUED - timedelta(hours=14))
        submitted = await submit(gql, caller.token, issued_on=local_date(clock.now()))
        await approve(
            gql,
            reviewer.token,
            submitted["request"]["id"],
            f"SN-LOTE-{n}",
            ISSUED.isoformat(),
            VALID_UNTIL.isoformat(),
        )
    for at, _ in STAGES[:3]:
        clock.set(at)
        assert (await run_daily_job(app.state.deps, at)).emails_queued == 4

    # The token's first use writes its lastUsedAt (once a minute): not part of either count.
    data_of(await gql.execute("{ viewer { user { id } } }", token=reviewer.token))
    with sql_statements() as without:
        plain = data_of(await gql.execute(QUEUE % "", token=reviewer.token))
    with sql_statements() as with_reminders:
        body = data_of(
            await gql.execute(QUEUE % "reminders { stage sentAt }", token=reviewer.token)
        )
    edges = body["certificateRequests"]["edges"]
    assert len(edges) == len(plain["certificateRequests"]["edges"]) == 4
    assert all(len(e["node"]["certificate"]["reminders"]) == 3 for e in edges)
    assert len(with_reminders) == len(without) + 1
