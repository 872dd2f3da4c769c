"""Benchmark 4: the email outbox. Queue N emails (the real templates, as the services do), then
time `notifications.worker.deliver_until_idle` sending them to a local SMTP server."""

import asyncio
import subprocess
import sys
import time

from bench.data import Dataset
from bench.report import Table
from bench.servers import PUBLIC_BASE_URL, REPO
from domain.clock import SystemClock
from models import CertificateRequest, Company
from models.outbox import OutboxEmail, OutboxStatus
from notifications.config import MailConfig
from notifications.emails import queue_request_received
from notifications.transports import SmtpTransport
from notifications.worker import deliver_until_idle

TARGET_PER_SECOND = 100


MAIL = MailConfig(
    mail_from="Certificados <no-reply@certs.bench.example>", public_base_url=PUBLIC_BASE_URL
)


async def _queue(count: int) -> int:
    requests = await CertificateRequest.all().order_by("id").limit(count)
    companies = {c.id: c for c in await Company.filter(id__in={r.company_id for r in requests})}
    for request in requests:
        await queue_request_received(MAIL, request, companies[request.company_id])
    return await OutboxEmail.filter(status=OutboxStatus.PENDING).count()


async def run_outbox(dataset: Dataset, emails: int, label: str) -> Table:
    table = Table(
        f"Email outbox ({label}): deliver_until_idle to a local SMTP server (aiosmtpd)",
        ["emails", "seconds", "emails/s", "sent", "received by the server", "target"],
    )
    await OutboxEmail.all().delete()
    queued = await _queue(emails)
    sink = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.smtp_sink",
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert sink.stdout is not None
        assert sink.stdin is not None
        port = int(await asyncio.wait_for(sink.stdout.readline(), timeout=30))
        transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{port}?timeout=10")
        started = time.perf_counter()
        report = await asyncio.wait_for(deliver_until_idle(transport, SystemClock()), timeout=600)
        seconds = time.perf_counter() - started
        sink.stdin.write(b"\n")
        await sink.stdin.drain()
        received = int(await asyncio.wait_for(sink.stdout.readline(), timeout=30))
    finally:
        if sink.returncode is None:
            sink.terminate()
        await asyncio.wait_for(sink.wait(), timeout=10)
    rate = report.sent / seconds if seconds else 0.0
    table.add(
        queued,
        seconds,
        rate,
        report.sent,
        received,
        f"≥ {TARGET_PER_SECOND}/s: {'met' if rate >= TARGET_PER_SECOND else 'MISSED'}",
    )
    if report.transport_error:
        table.note(f"transport error: {report.transport_error}")
    table.note(
        "one SMTP connection per batch of 50; on PostgreSQL each email is claimed, sent and marked "
        "in its own short transaction (FOR UPDATE SKIP LOCKED); on SQLite claimed by a "
        "conditional UPDATE, then sent and marked"
    )
    return table
