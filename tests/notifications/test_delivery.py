"""Delivery against a real SMTP server: outages, refused recipients, retries, two workers."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from devkit.smtp_server import SmtpServer
from domain.clock import FixedClock
from models import OutboxEmail, OutboxStatus
from notifications.transports import SmtpTransport
from notifications.worker import (
    BACKOFF_CAP,
    MAX_ATTEMPTS,
    deliver_pending,
    deliver_until_idle,
    retry_delay,
)
from tests.support.factories import make_company, queue_received

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_backoff_doubles_from_30_seconds_up_to_one_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    assert retry_delay(50) == BACKOFF_CAP


async def test_sent_rows_are_marked_and_not_sent_again(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    await queue_received(await make_company(), 3)
    first = await deliver_pending(smtp_transport, now=NOW)
    second = await deliver_pending(smtp_transport, now=NOW + timedelta(hours=1))
    assert (first.sent, second.sent) == (3, 0)
    assert len(smtp_server.messages) == 3
    rows = await OutboxEmail.all()
    assert {(row.status, row.attempts, row.sent_at) for row in rows} == {
        (OutboxStatus.SENT, 1, NOW)
    }


async def test_batch_size_bounds_one_round(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    await queue_received(await make_company(), 5)
    report = await deliver_pending(smtp_transport, now=NOW, batch_size=2)
    assert report.sent == 2
    assert await OutboxEmail.filter(status=OutboxStatus.PENDING).count() == 3


async def test_redelivery_keeps_the_message_id(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    """The at-least-once case: a row sent but not marked goes out again, with the same id."""
    await queue_received(await make_company(), 1)
    await deliver_pending(smtp_transport, now=NOW)
    await OutboxEmail.all().update(status=OutboxStatus.PENDING)  # as if the mark was lost
    await deliver_pending(smtp_transport, now=NOW)

    first, second = smtp_server.messages
    assert first.message_id == second.message_id == (await OutboxEmail.get()).message_id
    assert first.message["Date"] == second.message["Date"]


async def test_smtp_down_while_200_are_queued_then_all_arrive_once(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    smtp_server.stop()
    await queue_received(await make_company(), 200)
    clock = FixedClock(NOW)

    for _ in range(3):  # the worker keeps trying during the outage
        report = await deliver_pending(smtp_transport, now=clock.now())
        assert report.sent == 0
        assert report.transport_error is not None
        clock.advance(timedelta(minutes=10))
    assert await OutboxEmail.filter(status=OutboxStatus.PENDING, attempts=0).count() == 200

    smtp_server.start()
    total = await deliver_until_idle(smtp_transport, clock)

    assert total.sent == 200
    ids = smtp_server.message_ids()
    assert len(ids) == 200
    assert Counter(ids).most_common(1)[0][1] == 1
    expected = {row.message_id for row in await OutboxEmail.all()}
    assert set(ids) == expected
    assert await OutboxEmail.filter(status=OutboxStatus.SENT).count() == 200


async def test_a_permanent_refusal_fails_the_email_at_once_with_the_servers_answer(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    smtp_server.refuse("nadie@example.co")
    bad = await make_company(contact_name="Nadie", contact_email="nadie@example.co")
    good = await make_company()
    await queue_received(bad, 1)
    await queue_received(good, 2)
    clock = FixedClock(NOW)

    first = await deliver_pending(smtp_transport, now=clock.now())
    assert (first.sent, first.retrying, first.failed) == (2, 0, 1)
    final = await OutboxEmail.get(to_email="nadie@example.co")
    assert final.status == OutboxStatus.FAILED
    assert final.attempts == 1
    assert final.next_attempt_at is None
    assert final.sent_at is None
    assert final.last_error is not None
    assert final.last_error.startswith("550 5.1.1 <nadie@example.co>: Recipient address rejected")
    # Nothing more is tried for a FAILED row, however long we wait.
    clock.advance(timedelta(days=2))
    assert (await deliver_pending(smtp_transport, now=clock.now())).attempted == 0
    assert [m.rcpt_tos for m in smtp_server.messages].count(("nadie@example.co",)) == 0


async def test_a_temporary_refusal_is_retried_with_backoff_then_failed(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    smtp_server.greylist("nadie@example.co")
    bad = await make_company(contact_name="Nadie", contact_email="nadie@example.co")
    good = await make_company()
    await queue_received(bad, 1)
    await queue_received(good, 2)
    clock = FixedClock(NOW)

    first = await deliver_pending(smtp_transport, now=clock.now())
    assert (first.sent, first.retrying, first.failed) == (2, 1, 0)
    refused = await OutboxEmail.get(to_email="nadie@example.co")
    assert refused.status == OutboxStatus.PENDING
    assert refused.attempts == 1
    assert refused.next_attempt_at == NOW + timedelta(seconds=30)
    assert refused.last_error is not None
    assert refused.last_error.startswith("450 4.2.0 <nadie@example.co>: Recipient address rejected")

    # Not due yet: nothing is tried before the backoff has passed.
    clock.advance(timedelta(seconds=29))
    assert (await deliver_pending(smtp_transport, now=clock.now())).attempted == 0

    for attempt in range(2, MAX_ATTEMPTS + 1):
        await refused.refresh_from_db()
        assert refused.next_attempt_at is not None
        clock.set(refused.next_attempt_at)
        await queue_received(good, 1)  # other emails keep flowing meanwhile
        report = await deliver_pending(smtp_transport, now=clock.now())
        assert report.sent == 1
        await refused.refresh_from_db()
        assert refused.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert report.retrying == 1
            assert refused.next_attempt_at == clock.now() + retry_delay(attempt)
        else:
            assert report.failed == 1

    final = await OutboxEmail.get(id=refused.id)
    assert final.status == OutboxStatus.FAILED
    assert final.next_attempt_at is None
    assert final.last_error is not None
    assert "450 4.2.0" in final.last_error
    clock.advance(timedelta(days=2))
    assert (await deliver_pending(smtp_transport, now=clock.now())).attempted == 0

    received = smtp_server.messages
    assert len(received) == 2 + (MAX_ATTEMPTS - 1)
    assert all(message.rcpt_tos == ("contacto@ejemplo.co",) for message in received)
    assert await OutboxEmail.filter(status=OutboxStatus.SENT).count() == len(received)


async def test_server_closing_mid_batch_ends_the_batch_and_counts_one_attempt(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    smtp_server.answer_closing_for("ocupado@example.co")
    await queue_received(await make_company(contact_email="ocupado@example.co"), 1)
    await queue_received(await make_company(), 2)

    first = await deliver_pending(smtp_transport, now=NOW)
    assert (first.sent, first.retrying) == (0, 1)
    assert first.transport_error is not None
    busy = await OutboxEmail.get(to_email="ocupado@example.co")
    assert busy.attempts == 1
    assert busy.last_error is not None
    assert busy.last_error.startswith("421 4.3.2")

    second = await deliver_pending(smtp_transport, now=NOW)
    assert second.sent == 2
    assert len(smtp_server.messages) == 2


@pytest.mark.postgres
async def test_two_workers_on_postgres_deliver_500_without_duplicates(
    db: str, smtp_server: SmtpServer
) -> None:
    if not db.startswith("postgres"):
        pytest.skip(
            "concurrent workers rely on PostgreSQL row locks (FOR UPDATE SKIP LOCKED); "
            "SQLite runs a single worker"
        )
    company = await make_company()
    await queue_received(company, 500)
    clock = FixedClock(NOW)
    workers = [SmtpTransport.from_url(smtp_server.url) for _ in range(2)]

    reports = await asyncio.wait_for(
        asyncio.gather(*(deliver_until_idle(t, clock, batch_size=25) for t in workers)),
        timeout=120,
    )

    assert sum(report.sent for report in reports) == 500
    assert all(report.sent > 0 for report in reports), "both workers should have taken rows"
    ids = smtp_server.message_ids()
    assert len(ids) == 500
    assert len(set(ids)) == 500
    assert await OutboxEmail.filter(status=OutboxStatus.SENT, attempts=1).count() == 500


async def test_an_accidental_second_worker_never_sends_a_row_twice(
    db: str, smtp_server: SmtpServer
) -> None:
    """On SQLite the conditional claim (on PostgreSQL the row lock) keeps rows to one worker."""
    await queue_received(await make_company(), 100)
    clock = FixedClock(NOW)
    workers = [SmtpTransport.from_url(smtp_server.url) for _ in range(2)]

    reports = await asyncio.wait_for(
        asyncio.gather(*(deliver_until_idle(t, clock, batch_size=10) for t in workers)),
        timeout=60,
    )
    # A worker may stop early when the other holds the rest; a last round drains what is left.
    leftover = await deliver_until_idle(workers[0], clock)

    assert sum(report.sent for report in reports) + leftover.sent == 100
    ids = smtp_server.message_ids()
    assert len(ids) == len(set(ids)) == 100
    assert await OutboxEmail.filter(status=OutboxStatus.SENT, attempts=1).count() == 100
