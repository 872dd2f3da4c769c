"""`certs jobs run`: the expiry and reminders job once, for cron; one JSON report on stdout.

The job runs in this process (tests/support/cli.py); the refusal of a malformed setting, which
ends the program before any command, starts the real one."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from domain.enums import CertificateStatus
from models import Certificate, CertificateReminder, EmailKind, OutboxEmail
from tests.support.cli import run_certs_aside
from tests.support.server import certs, server_env
from tests.support.use_cases import certificate_ending_in


async def test_jobs_run_expires_reminds_and_prints_its_report(db: str, tmp_path: Path) -> None:
    expired = await certificate_ending_in(-timedelta(days=1), "SN-JOB-1", tmp_path / "docs")
    soon = await certificate_ending_in(timedelta(days=10), "SN-JOB-2", tmp_path / "docs")
    await certificate_ending_in(timedelta(days=200), "SN-JOB-3", tmp_path / "docs")
    env = server_env(tmp_path / "var", db)

    before = datetime.now(UTC)
    result = await run_certs_aside(env, "jobs", "run")
    report = orjson.loads(result.stdout)
    assert result.stdout.count("\n") == 1  # one JSON object, nothing else on stdout
    assert before <= datetime.fromisoformat(report.pop("ran_at")) <= datetime.now(UTC)
    assert report == {
        "certificates_checked": 2,
        "expired": 1,
        "started": 0,
        "superseded": 0,
        "withdrawn": 0,
        "emails_queued": 2,
        "emails_by_stage": {"BEFORE_EXPIRY_15": 1, "EXPIRED": 1},
        "silenced_by_renewal": 0,
        "skipped_concurrent": 0,
        "failed": 0,
        "unreferenced_files_removed": 0,
    }
    assert (await Certificate.get(id=expired.id)).status is CertificateStatus.EXPIRED
    assert await CertificateReminder.filter(certificate_id=soon.id).count() == 1
    queued = await OutboxEmail.filter(kind=EmailKind.CERTIFICATE_EXPIRY_REMINDER).first()
    assert queued is not None
    # Ten days to the same time of day: ten Bogotá calendar days, whatever the hour.
    assert queued.subject.startswith("Tu certificado digital vence en 10 días (")

    # Run again (cron every hour): nothing more to do, nothing sent twice.
    again = orjson.loads((await run_certs_aside(env, "jobs", "run")).stdout)
    assert (again["certificates_checked"], again["emails_queued"], again["expired"]) == (1, 0, 0)

    # REMINDER_DAYS chooses the stages: with a 10-day reminder, it is due now.
    tuned = orjson.loads(
        (await run_certs_aside({**env, "REMINDER_DAYS": "10,3"}, "jobs", "run")).stdout
    )
    assert tuned["emails_by_stage"] == {"BEFORE_EXPIRY_10": 1}


def test_jobs_run_refuses_a_malformed_reminder_days(database_url: str, tmp_path: Path) -> None:
    env = server_env(tmp_path / "var", database_url, REMINDER_DAYS="30,quince")
    result = certs(env, "jobs", "run", check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "REMINDER_DAYS" in result.stderr
