"""The daily job: the expiry timeline of a certificate, walked with the clock, on both databases."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.calendar import BOGOTA
from domain.clock import FixedClock
from domain.enums import CertificateStatus, ErrorCode, RequestKind, RequestStatus, Role
from domain.reminders import reminder_stages
from events.bus import InProcessBus
from models import (
    Certificate,
    CertificateReminder,
    CertificateRequest,
    CertificateStatusChange,
    EmailKind,
    OutboxEmail,
)
from notifications.config import MailConfig
from notifications.emails import queue_expiry_stage
from services import certificate_clock, expire_and_remind
from services.change_certificate_state import ChangeStateCommand, change_certificate_state
from services.dependencies import Dependencies
from services.expire_and_remind import JobReport, run_daily_job
from services.withdraw_certificate_request import WithdrawCommand, withdraw_certificate_request
from tests.support.factories import Caller, make_caller, make_company
from tests.support.use_cases import (
    CommitProbingBus,
    approve,
    fields_of,
    next_event,
    refused,
    reject,
    submit,
)

ISSUED = datetime(2026, 11, 26, tzinfo=BOGOTA)
VALID_UNTIL = datetime(2027, 11, 26, tzinfo=BOGOTA)

TIMELINE_KINDS = (
    EmailKind.CERTIFICATE_RENEWAL_OPEN,
    EmailKind.CERTIFICATE_EXPIRY_REMINDER,
    EmailKind.CERTIFICATE_EXPIRED,
)


def bogota(month: int, day: int, hour: int = 1, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, tzinfo=BOGOTA)


#: An instant one hour into the day of each default stage of VALID_UNTIL.
RENEWAL_OPEN_AT = bogota(10, 26)
DAY_30 = bogota(10, 27)
DAY_15 = bogota(11, 11)
DAY_7 = bogota(11, 19)
DAY_1 = bogota(11, 25)
EXPIRY_DAY = bogota(11, 26)


def set_clock(deps: Dependencies, at: datetime) -> None:
    assert isinstance(deps.clock, FixedClock)
    deps.clock.set(at)


async def run(
    deps: Dependencies, at: datetime, reminder_days: tuple[int, ...] = (30, 15, 7, 1)
) -> JobReport:
    """The job as the scheduler runs it, with the clock standing at `at`."""
    set_clock(deps, at)
    return await run_daily_job(deps, at, reminder_days=reminder_days)


async def issue(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    serial: str = "SN-0001",
    valid_from: datetime = ISSUED,
    valid_until: datetime = VALID_UNTIL,
) -> Certificate:
    """A certificate issued through the use cases the day before it starts (Emitido), then
    started by the job at its validFrom (Activo)."""
    set_clock(deps, valid_from - timedelta(hours=14))
    request = await submit(deps, customer, idempotency_key=f"issue-{serial}")
    _, certificate = await approve(deps, reviewer, request, serial, valid_from, valid_until)
    assert certificate.status is CertificateStatus.ISSUED
    assert (await run(deps, valid_from)).started == 1
    return await Certificate.get(id=certificate.id)


@pytest.fixture
async def issued(deps: Dependencies, customer: Caller, reviewer: Caller) -> Certificate:
    """`company`'s certificate, issued on 26/11/2026 and expiring as 26/11/2027 begins."""
    return await issue(deps, customer, reviewer)


async def timeline_emails(certificate: Certificate | None = None) -> list[OutboxEmail]:
    query = OutboxEmail.filter(kind__in=TIMELINE_KINDS)
    if certificate is not None:
        query = query.filter(event_key__startswith=f"certificate:{certificate.id}:")
    return await query.order_by("id")


async def stages_sent(certificate: Certificate) -> list[str]:
    rows = await CertificateReminder.filter(certificate_id=certificate.id).order_by("id")
    return [row.stage for row in rows]


async def status_of(certificate: Certificate) -> CertificateStatus:
    return (await Certificate.get(id=certificate.id)).status


# --- The whole timeline ------------------------------------------------------------------------


async def test_a_certificate_issued_a_year_ago_walks_through_every_stage(
    deps: Dependencies, issued: Certificate, probing_bus: CommitProbingBus
) -> None:
    deps = dataclasses.replace(deps, bus=probing_bus)
    queued: list[tuple[str, datetime]] = []
    at = bogota(10, 20)
    async with deps.bus.subscribe() as events:
        while at <= bogota(11, 28):  # every six hours, from before the window to after expiry
            report = await run(deps, at)
            assert report.failed == report.skipped_concurrent == 0
            queued += [(stage, at) for stage in report.emails_by_stage]
            at += timedelta(hours=6)
        event = await next_event(events)

    assert queued == [
        ("RENEWAL_OPEN", RENEWAL_OPEN_AT),
        ("BEFORE_EXPIRY_30", DAY_30),
        ("BEFORE_EXPIRY_15", DAY_15),
        ("BEFORE_EXPIRY_7", DAY_7),
        ("BEFORE_EXPIRY_1", DAY_1),
        ("EXPIRED", EXPIRY_DAY),
    ]
    assert await stages_sent(issued) == [stage for stage, _ in queued]
    mailed = await timeline_emails(issued)
    assert [e.subject for e in mailed] == [
        "Ya puedes renovar tu certificado digital (vence el 26/11/2027)",
        "Tu certificado digital vence en 30 días (26/11/2027)",
        "Tu certificado digital vence en 15 días (26/11/2027)",
        "Tu certificado digital vence en 7 días (26/11/2027)",
        "Tu certificado digital vence mañana (26/11/2027)",
        "Tu certificado digital venció el 26/11/2027",
    ]
    assert {e.to_email for e in mailed} == {"contacto@ejemplo.co"}

    # Expired by the system, with its history row, its event after the commit, once.
    assert await status_of(issued) is CertificateStatus.EXPIRED
    history = await CertificateStatusChange.filter(certificate_id=issued.id).order_by("id")
    assert fields_of(history, "from_status", "to_status", "actor_id", "actor_role", "note")[-1] == (
        CertificateStatus.ACTIVE,
        CertificateStatus.EXPIRED,
        None,
        None,
        "Venció el 26/11/2027.",
    )
    assert history[-1].at == EXPIRY_DAY.astimezone(UTC)
    assert (event.subject, event.subject_id, event.change_id) == (
        "certificate",
        issued.id,
        history[-1].id,
    )
    assert [p.committed for p in probing_bus.published] == [True]


async def test_the_emails_say_when_it_expires_and_how_to_renew(
    deps: Dependencies, issued: Certificate
) -> None:
    await run(deps, DAY_15)
    await run(deps, EXPIRY_DAY)
    reminder, expired = await timeline_emails(issued)

    assert "vence en 15 días: el 26/11/2027 a las 00:00 (hora de Bogotá)" in reminder.body_text
    assert "Ya puedes solicitar la renovación" in reminder.body_text
    assert "Cómo renovarlo:" in reminder.body_text
    assert "http://127.0.0.1:8000" in reminder.body_text
    assert "<strong>en 15 días</strong>" in reminder.body_html
    assert "<ol>" in reminder.body_html

    assert "venció el 26/11/2027 a las 00:00 (hora de Bogotá)" in expired.body_text
    assert "«Vencido»" in expired.body_text
    assert "solicita su renovación" in expired.body_text


async def test_a_reminder_before_the_window_opens_says_from_when(
    deps: Dependencies, customer: Caller, reviewer: Caller
) -> None:
    # Expiring 15/03/2027: thirty days back (13/02) comes before one month back (15/02).
    certificate = await issue(
        deps, customer, reviewer, valid_from=bogota(3, 15, 0, 2026), valid_until=bogota(3, 15, 0)
    )
    report = await run(deps, bogota(2, 13, 9))
    assert report.emails_by_stage == {"BEFORE_EXPIRY_30": 1}
    [reminder] = await timeline_emails(certificate)
    assert "Podrás solicitar la renovación desde el 15/02/2027" in reminder.body_text
    assert "Ya puedes solicitar" not in reminder.body_text
    assert (await run(deps, bogota(2, 15, 9))).emails_by_stage == {"RENEWAL_OPEN": 1}


# --- Never twice, never a burst ----------------------------------------------------------------


async def test_each_stage_once_even_after_a_restart(
    deps: Dependencies, issued: Certificate
) -> None:
    first = await run(deps, DAY_15)
    assert first.emails_by_stage == {"BEFORE_EXPIRY_15": 1}
    again = await run(deps, DAY_15 + timedelta(hours=1))
    assert again.emails_by_stage == {}
    assert again.certificates_checked == 1

    # A new process: new dependencies, same database.
    restarted = dataclasses.replace(deps, bus=InProcessBus())
    assert (await run(restarted, DAY_15 + timedelta(hours=2))).emails_by_stage == {}
    assert await stages_sent(issued) == ["BEFORE_EXPIRY_15"]
    assert len(await timeline_emails(issued)) == 1


async def test_a_job_that_was_down_three_days_sends_only_the_latest_stage(
    deps: Dependencies, issued: Certificate
) -> None:
    for at in (RENEWAL_OPEN_AT, DAY_30, DAY_15):
        await run(deps, at)
    # Down from 19/11 to 21/11: back on 22/11, the 7-day stage is the latest that applies.
    back = bogota(11, 22, 9)
    assert (await run(deps, back)).emails_by_stage == {"BEFORE_EXPIRY_7": 1}
    assert (await run(deps, back + timedelta(hours=1))).emails_by_stage == {}
    # Down again across the 1-day stage and the expiry: only the expired email.
    report = await run(deps, bogota(11, 28, 9))
    assert (report.expired, report.emails_by_stage) == (1, {"EXPIRED": 1})

    subjects = [e.subject for e in await timeline_emails(issued)]
    assert subjects[3:] == [
        "Tu certificado digital vence en 4 días (26/11/2027)",
        "Tu certificado digital venció el 26/11/2027",
    ]
    assert await stages_sent(issued) == [
        "RENEWAL_OPEN",
        "BEFORE_EXPIRY_30",
        "BEFORE_EXPIRY_15",
        "BEFORE_EXPIRY_7",
        "EXPIRED",
    ]


async def test_the_stages_follow_the_configured_days(
    deps: Dependencies, issued: Certificate
) -> None:
    days = (10, 2)
    assert reminder_stages(days)[1].days_before == 10
    assert (await run(deps, DAY_15, reminder_days=days)).emails_by_stage == {"RENEWAL_OPEN": 1}
    assert (await run(deps, bogota(11, 16), reminder_days=days)).emails_by_stage == {
        "BEFORE_EXPIRY_10": 1
    }
    assert (await run(deps, DAY_7, reminder_days=days)).emails_by_stage == {}


# --- Silenced by a renewal ---------------------------------------------------------------------


async def test_a_renewal_approved_at_stage_15_silences_stages_7_and_1(
    deps: Dependencies, customer: Caller, reviewer: Caller, issued: Certificate
) -> None:
    for at in (RENEWAL_OPEN_AT, DAY_30, DAY_15):
        await run(deps, at)
    renewal = await submit(deps, customer, idempotency_key="renovacion")
    assert (renewal.kind, renewal.renewal_of_id) == (RequestKind.RENEWAL, issued.id)
    _, renewed = await approve(
        deps, reviewer, renewal, "SN-0002", VALID_UNTIL, datetime(2028, 11, 26, tzinfo=BOGOTA)
    )
    # The renewal starts when the old one ends: until then the old one still signs.
    assert await status_of(issued) is CertificateStatus.ACTIVE
    assert await status_of(renewed) is CertificateStatus.ISSUED

    for at in (DAY_7, DAY_1):
        report = await run(deps, at)
        assert report.emails_by_stage == {}
        assert report.silenced_by_renewal == 1
    # At its end the old certificate still expires, with its history row, but nobody is told:
    # the company already signs with the new one.
    report = await run(deps, EXPIRY_DAY)
    assert (report.expired, report.emails_by_stage) == (1, {})
    assert await status_of(issued) is CertificateStatus.EXPIRED
    assert await status_of(renewed) is CertificateStatus.ACTIVE
    last = await CertificateStatusChange.filter(certificate_id=issued.id).order_by("-id").first()
    assert last is not None
    assert (last.from_status, last.to_status) == (
        CertificateStatus.ACTIVE,
        CertificateStatus.EXPIRED,
    )

    assert await stages_sent(issued) == ["RENEWAL_OPEN", "BEFORE_EXPIRY_30", "BEFORE_EXPIRY_15"]
    assert await stages_sent(renewed) == []


async def test_a_renewal_in_review_silences_and_a_rejected_one_does_not(
    deps: Dependencies, customer: Caller, reviewer: Caller, issued: Certificate
) -> None:
    await run(deps, DAY_15)
    renewal = await submit(deps, customer, idempotency_key="renovacion")
    assert (await run(deps, DAY_7)).emails_by_stage == {}
    assert (await CertificateRequest.get(id=renewal.id)).status is RequestStatus.IN_REVIEW

    set_clock(deps, DAY_1 + timedelta(hours=8))
    await reject(deps, reviewer, renewal)
    # Rejected: the company must act, so the latest stage that applies goes out.
    report = await run(deps, DAY_1 + timedelta(hours=9))
    assert report.emails_by_stage == {"BEFORE_EXPIRY_1": 1}
    assert (await run(deps, EXPIRY_DAY)).emails_by_stage == {"EXPIRED": 1}


async def test_a_withdrawn_renewal_does_not_silence(
    deps: Dependencies, customer: Caller, reviewer: Caller, issued: Certificate
) -> None:
    await run(deps, DAY_15)
    renewal = await submit(deps, customer, idempotency_key="renovacion")
    assert (await run(deps, DAY_7)).silenced_by_renewal == 1

    set_clock(deps, DAY_1 + timedelta(hours=8))
    await reject(deps, reviewer, renewal)
    await withdraw_certificate_request(
        deps, customer.principal, WithdrawCommand(renewal.id, "Renovaremos más adelante.")
    )
    assert (await CertificateRequest.get(id=renewal.id)).status is RequestStatus.WITHDRAWN
    # Withdrawn: no renewal is on its way, so the company hears about expiry again.
    report = await run(deps, DAY_1 + timedelta(hours=9))
    assert (report.emails_by_stage, report.silenced_by_renewal) == ({"BEFORE_EXPIRY_1": 1}, 0)
    assert (await run(deps, EXPIRY_DAY)).emails_by_stage == {"EXPIRED": 1}


# --- Which certificates --------------------------------------------------------------------------


async def test_a_revoked_certificate_gets_nothing(
    deps: Dependencies, customer: Caller, issued: Certificate
) -> None:
    set_clock(deps, bogota(6, 1))
    await change_certificate_state(
        deps,
        customer.principal,
        ChangeStateCommand(issued.id, CertificateStatus.REVOKED, "Clave comprometida."),
    )
    for at in (DAY_15, EXPIRY_DAY, bogota(12, 30)):
        report = await run(deps, at)
        assert (report.certificates_checked, report.emails_queued, report.expired) == (0, 0, 0)
    assert await status_of(issued) is CertificateStatus.REVOKED


async def test_an_inactive_certificate_is_reminded_and_expires(
    deps: Dependencies, customer: Caller, issued: Certificate
) -> None:
    set_clock(deps, bogota(6, 1))
    await change_certificate_state(
        deps, customer.principal, ChangeStateCommand(issued.id, CertificateStatus.INACTIVE)
    )
    assert (await run(deps, DAY_7)).emails_by_stage == {"BEFORE_EXPIRY_7": 1}
    report = await run(deps, EXPIRY_DAY)
    assert (report.expired, report.emails_by_stage) == (1, {"EXPIRED": 1})
    assert await status_of(issued) is CertificateStatus.EXPIRED


async def test_certificates_far_from_their_end_are_not_even_looked_at(
    deps: Dependencies, issued: Certificate
) -> None:
    report = await run(deps, bogota(6, 1))
    assert report.as_dict() == {
        "ran_at": bogota(6, 1).isoformat(),
        "certificates_checked": 0,
        "expired": 0,
        "started": 0,
        "superseded": 0,
        "withdrawn": 0,
        "emails_queued": 0,
        "emails_by_stage": {},
        "silenced_by_renewal": 0,
        "skipped_concurrent": 0,
        "failed": 0,
    }


# --- After expiry --------------------------------------------------------------------------------


async def test_an_expired_certificate_cannot_be_activated_and_its_company_may_renew_it(
    deps: Dependencies, customer: Caller, issued: Certificate
) -> None:
    await run(deps, EXPIRY_DAY)
    assert await status_of(issued) is CertificateStatus.EXPIRED

    for target, verb in (
        (CertificateStatus.ACTIVE, "activar"),
        (CertificateStatus.INACTIVE, "inactivar"),
    ):
        await refused(
            change_certificate_state(
                deps, customer.principal, ChangeStateCommand(issued.id, target)
            ),
            ErrorCode.INVALID_STATE_TRANSITION,
            message=f"El certificado está en estado «Vencido» y no se puede {verb}.",
        )

    set_clock(deps, bogota(12, 2, 10))
    renewal = await submit(deps, customer, idempotency_key="renovar-vencido")
    assert (renewal.kind, renewal.renewal_of_id) == (RequestKind.RENEWAL, issued.id)
    # Once expired, nothing more is sent for it, whatever happens to the renewal.
    assert (await run(deps, bogota(12, 3))).certificates_checked == 0


# --- Concurrency -------------------------------------------------------------------------------


async def test_a_duplicate_that_reaches_the_insert_rolls_back_and_the_job_goes_on(
    deps: Dependencies,
    issued: Certificate,
    reviewer: Caller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = await make_caller(Role.CUSTOMER, await make_company(contact_email="otra@ejemplo.co"))
    later = await issue(
        deps, other, reviewer, "SN-0100", valid_until=VALID_UNTIL + timedelta(days=1)
    )
    await run(deps, DAY_15)  # 15 days before `issued`, 16 before `later`
    assert await stages_sent(issued) == ["BEFORE_EXPIRY_15"]
    assert await stages_sent(later) == ["BEFORE_EXPIRY_30"]

    async def stale(certificate_ids: object) -> dict[int, list[str]]:
        return {}  # as a run that read the ledger before the other run committed

    monkeypatch.setattr(expire_and_remind, "_sent_stages", stale)
    report = await run(deps, DAY_15 + timedelta(days=1))  # `later` is now due its 15-day stage
    assert report.skipped_concurrent == 1
    assert report.failed == 0
    assert report.emails_by_stage == {"BEFORE_EXPIRY_15": 1}
    assert await stages_sent(issued) == ["BEFORE_EXPIRY_15"]
    assert await stages_sent(later) == ["BEFORE_EXPIRY_30", "BEFORE_EXPIRY_15"]
    assert len(await timeline_emails(issued)) == 1


async def test_two_jobs_at_once_send_each_email_exactly_once(
    db: str, deps: Dependencies, reviewer: Caller
) -> None:
    if not db.startswith("postgres"):
        pytest.skip("concurrent jobs rely on PostgreSQL row locks; SQLite serialises writes")
    certificates: list[Certificate] = []
    for n in range(6):
        company = await make_company(contact_email=f"contacto{n}@ejemplo.co")
        caller = await make_caller(Role.CUSTOMER, company)
        # Two of them end a week earlier: they expire while the others get their reminders.
        valid_until = VALID_UNTIL - timedelta(days=7 if n < 2 else 0)
        certificates.append(
            await issue(deps, caller, reviewer, f"SN-{n:04d}", valid_until=valid_until)
        )

    # The two that end on 19/11 are a week ahead: on 26/10 their 30-day stage (their renewal
    # opened on 19/10), on 11/11 their 15-day one, and on 19/11 they expire.
    expected = {RENEWAL_OPEN_AT: 6, DAY_30: 4, DAY_15: 6, DAY_7: 6, DAY_1: 4, EXPIRY_DAY: 4}
    for at in (RENEWAL_OPEN_AT, DAY_30, DAY_15, DAY_7, DAY_1, EXPIRY_DAY):
        set_clock(deps, at)
        reports = await asyncio.gather(run_daily_job(deps, at), run_daily_job(deps, at))
        assert sum(r.failed for r in reports) == 0
        # Between them, the two runs queued each due email once.
        assert sum(r.emails_queued for r in reports) == expected[at]

    for certificate in certificates:
        stages = await stages_sent(certificate)
        assert len(stages) == len(set(stages)), stages
        mailed = await timeline_emails(certificate)
        assert len(mailed) == len(stages)
        assert await status_of(certificate) is CertificateStatus.EXPIRED
        expiries = await CertificateStatusChange.filter(
            certificate_id=certificate.id, to_status=CertificateStatus.EXPIRED
        ).count()
        assert expiries == 1
    assert [await stages_sent(c) for c in certificates[:2]] == [
        ["BEFORE_EXPIRY_30", "BEFORE_EXPIRY_15", "EXPIRED"]
    ] * 2
    assert [await stages_sent(c) for c in certificates[2:]] == [
        [
            "RENEWAL_OPEN",
            "BEFORE_EXPIRY_30",
            "BEFORE_EXPIRY_15",
            "BEFORE_EXPIRY_7",
            "BEFORE_EXPIRY_1",
            "EXPIRED",
        ]
    ] * 4


async def test_a_certificate_that_fails_is_rolled_back_and_retried_without_stopping_the_job(
    deps: Dependencies,
    issued: Certificate,
    reviewer: Caller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = await make_caller(Role.CUSTOMER, await make_company(contact_email="otra@ejemplo.co"))
    later = await issue(deps, other, reviewer, "SN-0200", valid_until=VALID_UNTIL)
    real_queue = queue_expiry_stage

    async def broken_for_issued(mail: MailConfig, certificate: Certificate, *args: Any) -> str:
        if certificate.id == issued.id:
            raise RuntimeError("the template could not be read")
        return await real_queue(mail, certificate, *args)

    monkeypatch.setattr(certificate_clock, "queue_expiry_stage", broken_for_issued)
    report = await run(deps, EXPIRY_DAY)
    assert (report.failed, report.expired, report.emails_by_stage) == (1, 1, {"EXPIRED": 1})
    # Nothing of the failed certificate was kept: not expired, no ledger row, no email.
    assert await status_of(issued) is CertificateStatus.ACTIVE
    assert await stages_sent(issued) == []
    assert await status_of(later) is CertificateStatus.EXPIRED

    monkeypatch.setattr(certificate_clock, "queue_expiry_stage", real_queue)
    retried = await run(deps, EXPIRY_DAY + timedelta(hours=1))
    assert (retried.failed, retried.expired, retried.emails_by_stage) == (0, 1, {"EXPIRED": 1})
    assert await stages_sent(issued) == ["EXPIRED"]
