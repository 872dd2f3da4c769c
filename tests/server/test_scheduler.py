"""The expiry job inside the server: settings, the scheduler loop, and a real `certs serve`."""

import asyncio
import mailbox
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from domain.clock import FixedClock
from domain.enums import CertificateStatus
from events.bus import InProcessBus
from models import Certificate, CertificateStatusChange
from server.app import create_app
from server.scheduler import JobScheduler
from server.settings import Settings
from services.dependencies import Dependencies
from services.expire_and_remind import JobReport, run_daily_job
from storage.documents import DocumentStore
from tests.support.server import running_server, server_env
from tests.support.use_cases import certificate_ending_in
from tests.support.waiting import wait_until


def test_scheduler_settings_default_to_hourly_with_the_usual_stages() -> None:
    settings = Settings.from_env({}, env_file=None)
    assert settings.jobs_scheduler is True
    assert settings.jobs_interval_seconds == 3600
    assert settings.reminder_days == (30, 15, 7, 1)


def test_scheduler_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {"JOBS_SCHEDULER": "false", "JOBS_INTERVAL_SECONDS": "900", "REMINDER_DAYS": "7, 60"},
        env_file=None,
    )
    assert settings.jobs_scheduler is False
    assert settings.jobs_interval_seconds == 900
    assert settings.reminder_days == (60, 7)
    assert Settings.from_env({"REMINDER_DAYS": " "}, env_file=None).reminder_days == (30, 15, 7, 1)


@pytest.mark.parametrize(
    ("name", "value"), [("JOBS_INTERVAL_SECONDS", "0"), ("REMINDER_DAYS", "30,0")]
)
def test_scheduler_settings_refuse_nonsense(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value}, env_file=None)


def test_the_app_has_a_scheduler_unless_switched_off(tmp_path: Path) -> None:
    on = create_app(Settings(data_dir=tmp_path, jobs_interval_seconds=60, reminder_days=(9,)))
    scheduler = on.state.scheduler
    assert isinstance(scheduler, JobScheduler)
    assert (scheduler.interval_seconds, scheduler.reminder_days) == (60, (9,))
    assert not scheduler.running  # the lifespan starts it
    off = create_app(Settings(data_dir=tmp_path, jobs_scheduler=False))
    assert off.state.scheduler is None


async def test_the_scheduler_runs_at_once_then_every_interval_and_stops_cleanly(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = await certificate_ending_in(-timedelta(hours=1), "SN-SCHED-1", tmp_path)
    deps = Dependencies(
        clock=FixedClock(datetime.now(UTC)),
        documents=DocumentStore(tmp_path),
        bus=InProcessBus(),
    )
    calls = {"n": 0}

    async def flaky_job(*args: object, **kwargs: object) -> JobReport:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("database unreachable for a moment")
        return await run_daily_job(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("server.scheduler.run_daily_job", flaky_job)
    scheduler = JobScheduler(deps, interval_seconds=0.05, reminder_days=(30, 15, 7, 1))
    scheduler.start()
    # At start-up, without waiting an interval.
    await wait_until(lambda: scheduler.runs >= 1, what="the first run")
    assert scheduler.last_report is not None
    assert scheduler.last_report.expired == 1
    # A failed run does not stop the loop.
    await wait_until(lambda: scheduler.runs >= 3, what="two more runs")
    loop = scheduler._task
    assert loop is not None
    await scheduler.stop()
    assert not scheduler.running
    # Stopped for good: the loop's task has ended, so no run can start after this.
    assert loop.done()
    assert not loop.cancelled()

    assert (await Certificate.get(id=certificate.id)).status is CertificateStatus.EXPIRED
    expiries = await CertificateStatusChange.filter(
        certificate_id=certificate.id, to_status=CertificateStatus.EXPIRED
    ).count()
    assert expiries == 1


async def test_a_slow_run_is_cancelled_at_the_stop_timeout(tmp_path: Path) -> None:
    started = asyncio.Event()

    class SlowScheduler(JobScheduler):
        async def run_once(self) -> JobReport:
            started.set()
            await asyncio.Event().wait()  # a run that never ends by itself
            raise AssertionError("not reached")

    deps = Dependencies(
        clock=FixedClock(datetime.now(UTC)), documents=DocumentStore(tmp_path), bus=InProcessBus()
    )
    scheduler = SlowScheduler(deps, interval_seconds=10, reminder_days=(), stop_timeout=0.1)
    scheduler.start()
    await started.wait()
    await asyncio.wait_for(scheduler.stop(), timeout=5)
    assert not scheduler.running


def maildir_subjects(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [
        str(make_header(decode_header(str(message["Subject"]))))
        for message in mailbox.Maildir(path, create=False)
    ]


async def test_certs_serve_runs_the_job_at_start_up(db: str, tmp_path: Path) -> None:
    certificate = await certificate_ending_in(-timedelta(days=2), "SN-SERVE-1", tmp_path / "docs")
    env = server_env(tmp_path / "var", db)
    with running_server(env) as server:
        assert server.process.poll() is None

        async def expired() -> bool:
            return (await Certificate.get(id=certificate.id)).status is CertificateStatus.EXPIRED

        await wait_until(expired, within=15, what="the start-up run to expire the certificate")
        # The server's outbox worker delivers the expired email (to the Maildir, no SMTP_URL).
        mail = tmp_path / "var" / "mail"

        def expired_subjects() -> list[str]:
            return [
                s for s in maildir_subjects(mail) if s.startswith("Tu certificado digital venció")
            ]

        await wait_until(expired_subjects, within=15, what="the expired email")
        assert len(expired_subjects()) == 1
    # Stopped by SIGTERM: the lifespan stopped the scheduler and the worker without an error.
    assert server.process.stderr is not None
    log = server.process.stderr.read().decode()
    assert "Traceback" not in log
    assert "ERROR" not in log


async def test_certs_serve_leaves_it_to_cron_when_switched_off(db: str, tmp_path: Path) -> None:
    certificate = await certificate_ending_in(-timedelta(days=2), "SN-SERVE-2", tmp_path / "docs")
    env = server_env(tmp_path / "var", db, JOBS_SCHEDULER="false")
    with running_server(env) as server:
        assert server.process.poll() is None  # healthy: its lifespan started all it starts
    # The positive marker is the clean exit: a scheduler lets its start-up run finish before the
    # lifespan lets the process go, so by now that run would have expired the certificate.
    assert server.process.returncode is not None
    assert (await Certificate.get(id=certificate.id)).status is CertificateStatus.ACTIVE
