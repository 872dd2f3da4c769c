"""Use case: the scheduled job. Persist what the clock decided, remind what is about to expire,
withdraw what was left uncorrected.

At the instant it runs:

- every company with a time-driven change due has it written (`services.certificate_clock`):
  an Emitido certificate whose validFrom came becomes Activo (with the "starting" email), the
  one its renewal replaces becomes Inactivo, a certificate past its validUntil becomes Vencido
  (with the "expired" email); each with a history row by the system and an event for the
  subscribers (published after the commit);
- every request left rejected for `RequestRules.auto_withdraw_days` is withdrawn, with an email
  (`services.withdraw_certificate_request.withdraw_stale_rejections`);

and for every live (not yet expired) certificate near or past its end:

- past `valid_until`, it becomes EXPIRED as above;
- otherwise `domain.reminders.due_stage` names the one email due now, if any: the renewal window
  opened, or a reminder some days before expiry;
- no email at all once a renewal of that certificate is in review or completed.

Each certificate is one transaction that locks the company row, then the certificate, as every
other use case does, and re-reads what it decides on under those locks. An email is written
together with its ledger row (`CertificateReminder`, unique per certificate and stage), so a
stage is emailed once: a restart finds the row, a second process running the job at the same
time waits on the locks and then finds it (PostgreSQL), and should a duplicate ever reach the
insert, the unique constraint rolls that certificate's transaction back and the job goes on.

The job is idempotent: running it every hour (the server does) or from cron catches up after
downtime, sending only the latest stage that applies.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.certificate_lifecycle import SYSTEM_TRANSITIONS, SystemTransition, can_expire
from domain.enums import ErrorCode, RequestStatus
from domain.errors import DomainError
from domain.reminder_settings import ReminderPlan
from domain.reminders import (
    DEFAULT_REMINDER_DAYS,
    ReminderKind,
    ReminderStage,
    due_stage,
    lookahead,
    reminder_stages,
    reminders_silenced,
)
from models import Certificate, CertificateReminder, CertificateRequest, Company
from services.certificate_clock import queue_stage, settle_certificates
from services.dependencies import AfterCommit, Dependencies
from services.reminder_settings import all_stage_days, plans_for
from services.withdraw_certificate_request import withdraw_stale_rejections

logger = logging.getLogger("certs.jobs")

_EXPIRE_SOURCES, _EXPIRED = SYSTEM_TRANSITIONS[SystemTransition.EXPIRE]
(_ISSUED,), _ = SYSTEM_TRANSITIONS[SystemTransition.START]
#: The statuses the job looks at: the ones a certificate can still expire from.
LIVE_STATUSES = tuple(sorted(_EXPIRE_SOURCES))


@dataclass
class JobReport:
    """What one run did; printed as JSON by `certs jobs run`."""

    ran_at: datetime
    #: Live certificates near or past their end that the job looked at.
    certificates_checked: int = 0
    expired: int = 0
    #: Emitido certificates whose validity started (now Activo).
    started: int = 0
    #: Certificates set aside because the renewal that replaces them started.
    superseded: int = 0
    #: Requests withdrawn because they were left rejected too long.
    withdrawn: int = 0
    #: Emails queued, by stage key (RENEWAL_OPEN, BEFORE_EXPIRY_30, ..., EXPIRED).
    emails_by_stage: dict[str, int] = field(default_factory=dict)
    #: Certificates whose due email was withheld because a renewal is in review or completed.
    silenced_by_renewal: int = 0
    #: Certificates another run handled at the same moment (rolled back here, nothing lost).
    skipped_concurrent: int = 0
    #: Certificates that failed (logged); the next run tries them again.
    failed: int = 0

    @property
    def emails_queued(self) -> int:
        return sum(self.emails_by_stage.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "ran_at": self.ran_at.isoformat(),
            "certificates_checked": self.certificates_checked,
            "expired": self.expired,
            "started": self.started,
            "superseded": self.superseded,
            "withdrawn": self.withdrawn,
            "emails_queued": self.emails_queued,
            "emails_by_stage": dict(sorted(self.emails_by_stage.items())),
            "silenced_by_renewal": self.silenced_by_renewal,
            "skipped_concurrent": self.skipped_concurrent,
            "failed": self.failed,
        }


@dataclass(frozen=True)
class Decision:
    """What the job does to one certificate now."""

    expire: bool
    stage: ReminderStage | None
    silenced: bool

    @property
    def has_work(self) -> bool:
        return self.expire or self.stage is not None


def decide(
    certificate: Certificate,
    now: datetime,
    stages: Sequence[ReminderStage],
    sent_keys: Iterable[str],
    renewal_statuses: Iterable[RequestStatus],
) -> Decision:
    """Expire it? Which email? Silenced by a renewal? From rows already loaded."""
    expire = can_expire(certificate.status, certificate.valid_until, now)
    sent = [ReminderStage.from_key(key) for key in sent_keys]
    stage = due_stage(certificate.valid_until, now, stages, sent)
    if stage is not None and reminders_silenced(renewal_statuses):
        return Decision(expire=expire, stage=None, silenced=True)
    return Decision(expire=expire, stage=stage, silenced=False)


async def run_daily_job(
    deps: Dependencies, now: datetime, *, reminder_days: Sequence[int] = DEFAULT_REMINDER_DAYS
) -> JobReport:
    """Expire and remind, as of `now`, one transaction per certificate that has something due.

    `reminder_days` and `deps.reminder_channel` are the defaults; a company's own reminder
    settings (`services.reminder_settings`) replace them for its certificates."""
    defaults = ReminderPlan(
        days_before=tuple(reminder_days), after_expiry=True, channel=deps.reminder_channel
    )
    widest = reminder_stages(await all_stage_days(defaults))
    report = JobReport(ran_at=now)
    report.withdrawn, report.failed = await withdraw_stale_rejections(deps, now)
    await _settle_starts(deps, now, report, defaults)
    candidates = await Certificate.filter(
        status__in=LIVE_STATUSES, valid_until__lte=now + lookahead(widest)
    ).order_by("valid_until", "id")
    ids = [c.id for c in candidates]
    sent = await _sent_stages(ids)
    renewals = await _renewal_statuses(ids)
    plans = await plans_for({c.company_id for c in candidates}, defaults)
    for certificate in candidates:
        plan = plans[certificate.company_id]
        stages = plan.stages()
        report.certificates_checked += 1
        try:
            first_look = decide(
                certificate,
                now,
                stages,
                sent.get(certificate.id, []),
                renewals.get(certificate.id, []),
            )
            if not first_look.has_work:
                report.silenced_by_renewal += first_look.silenced
                continue
            decision = await _handle(deps, certificate.id, certificate.company_id, now, plan)
        except IntegrityError:
            logger.info("certificate %s: handled by another run at the same time", certificate.id)
            report.skipped_concurrent += 1
            continue
        except DomainError as error:
            if error.code is ErrorCode.CONFLICT:
                logger.info("certificate %s: changed by someone else meanwhile", certificate.id)
                report.skipped_concurrent += 1
            else:
                logger.exception("certificate %s: the expiry job was refused", certificate.id)
                report.failed += 1
            continue
        except Exception:
            logger.exception(
                "certificate %s: the expiry job failed; next run retries", certificate.id
            )
            report.failed += 1
            continue
        report.expired += decision.expire
        report.silenced_by_renewal += decision.silenced
        if decision.stage is not None:
            key = decision.stage.key
            report.emails_by_stage[key] = report.emails_by_stage.get(key, 0) + 1
    return report


async def _handle(
    deps: Dependencies,
    certificate_id: int,
    company_id: int,
    now: datetime,
    plan: ReminderPlan,
) -> Decision:
    stages = plan.stages()
    after = AfterCommit()
    async with in_transaction():
        # The lock order of every use case: the company row, then the certificate.
        company = await Company.filter(id=company_id).select_for_update().get()
        certificate = await Certificate.filter(id=certificate_id).select_for_update().get()
        if certificate.status not in LIVE_STATUSES:
            return Decision(expire=False, stage=None, silenced=False)
        sent = await _sent_stages([certificate.id])
        renewals = await _renewal_statuses([certificate.id])
        decision = decide(
            certificate,
            now,
            stages,
            sent.get(certificate.id, []),
            renewals.get(certificate.id, []),
        )
        if decision.expire:
            # The company's other time-driven changes are written with it, expiry first; the
            # "expired" stage follows the company's plan.
            await settle_certificates(deps, company, now, after, plan)
        elif decision.stage is not None:
            await queue_stage(deps.mail, certificate, company, decision.stage, now, plan.channel)
    if decision.has_work:
        await after.publish(deps)
    return decision


async def _settle_starts(
    deps: Dependencies, now: datetime, report: JobReport, defaults: ReminderPlan
) -> None:
    """Write, company by company, the starts (and the supersessions they bring) due by `now`."""
    instant = now.astimezone(UTC)  # as stored: SQLite compares the text
    due = await Certificate.filter(
        status=_ISSUED, valid_from__lte=instant, valid_until__gt=instant
    ).only("id", "company_id")
    for company_id in sorted({row.company_id for row in due}):
        after = AfterCommit()
        try:
            async with in_transaction():
                company = await Company.filter(id=company_id).select_for_update().get()
                plan = (await plans_for([company_id], defaults))[company_id]
                settled = await settle_certificates(deps, company, now, after, plan)
        except Exception:
            logger.exception(
                "company %s: starting its certificate failed; next run retries", company_id
            )
            report.failed += 1
            continue
        await after.publish(deps)
        report.started += len(settled.started)
        report.superseded += len(settled.superseded)
        report.expired += len(settled.expired)
        for _ in range(settled.expiry_emails):
            key = ReminderStage(ReminderKind.EXPIRED).key
            report.emails_by_stage[key] = report.emails_by_stage.get(key, 0) + 1


async def _sent_stages(certificate_ids: Sequence[int]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    if certificate_ids:
        rows = await CertificateReminder.filter(certificate_id__in=certificate_ids).values_list(
            "certificate_id", "stage"
        )
        for certificate_id, stage in rows:
            grouped[int(certificate_id)].append(str(stage))
    return grouped


async def _renewal_statuses(certificate_ids: Sequence[int]) -> dict[int, list[RequestStatus]]:
    grouped: dict[int, list[RequestStatus]] = defaultdict(list)
    if certificate_ids:
        rows = await CertificateRequest.filter(renewal_of_id__in=certificate_ids).values_list(
            "renewal_of_id", "status"
        )
        for certificate_id, status in rows:
            grouped[int(certificate_id)].append(RequestStatus(status))
    return grouped
