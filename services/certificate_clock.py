"""Persisting the clock's part of the certificate's life, for one company at a time.

At its validFrom an Emitido certificate becomes Activo, and the one its renewal replaces is set
aside (Activo -> Inactivo) at that same instant; at its validUntil a certificate is Vencido.
Reads never wait for this (`domain.certificate_lifecycle.effective_status` derives all three from
the clock); `settle_certificates` writes them with their history rows, events and emails, so
the database, the subscribers and the principal contact learn of them too.

It runs inside the caller's transaction with the company row locked: from the scheduled job,
and before deciding, from the use cases that change a certificate. Expired and replaced
certificates are written before the ones that start, so the partial unique index (one ACTIVE
certificate per company) holds after every statement.
"""

from dataclasses import dataclass, field
from datetime import datetime

from domain.calendar import format_date_es, local_date
from domain.certificate_lifecycle import TIME_DRIVEN_SOURCES, effective_status
from domain.enums import CertificateStatus
from domain.reminder_settings import ReminderChannel, ReminderPlan
from domain.reminders import ReminderKind, ReminderStage, reminders_silenced
from models import (
    Certificate,
    CertificateReminder,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    OutboxEmail,
)
from notifications.config import MailConfig
from notifications.emails import queue_certificate_started, queue_expiry_stage
from notifications.webhook_events import queue_reminder
from services.dependencies import AfterCommit, Dependencies
from services.history import record_certificate_change
from services.locking import save_versioned
from services.reminder_settings import confirmed_recipients, plans_for

EXPIRED_STAGE = ReminderStage(ReminderKind.EXPIRED)


@dataclass
class Settled:
    """What `settle_certificates` wrote."""

    started: list[Certificate] = field(default_factory=list)
    superseded: list[Certificate] = field(default_factory=list)
    expired: list[Certificate] = field(default_factory=list)
    #: Expired certificates whose "expired" email was queued now.
    expiry_emails: int = 0


def default_plan(deps: Dependencies) -> ReminderPlan:
    """What a company that changed nothing gets (REMINDER_DAYS, REMINDER_CHANNEL)."""
    return ReminderPlan(
        days_before=deps.reminder_days, after_expiry=True, channel=deps.reminder_channel
    )


async def settle_certificates(
    deps: Dependencies,
    company: Company,
    now: datetime,
    after: AfterCommit,
    plan: ReminderPlan | None = None,
) -> Settled:
    """Write every time-driven change due at `now` for `company`. The "expired" email follows
    the company's reminder settings (`plan`; loaded when not given)."""
    mail = deps.mail
    rows = await Certificate.filter(
        company_id=company.id, status__in=sorted(TIME_DRIVEN_SOURCES)
    ).order_by("valid_from", "id")
    settled = Settled()
    for row in rows:
        target = effective_status(
            row.status, row.valid_from, row.valid_until, now, superseded_at=row.superseded_at
        )
        if target is CertificateStatus.EXPIRED:
            settled.expired.append(row)
        elif row.status is CertificateStatus.ACTIVE and target is CertificateStatus.INACTIVE:
            settled.superseded.append(row)
        elif row.status is CertificateStatus.ISSUED and target is CertificateStatus.ACTIVE:
            settled.started.append(row)
    if settled.expired and plan is None:
        plan = (await plans_for([company.id], default_plan(deps)))[company.id]
    for row in settled.expired:
        assert plan is not None
        settled.expiry_emails += await expire(mail, row, company, now, after, plan)
    predecessors = {row.replaced_by_id: row for row in settled.superseded if row.replaced_by_id}
    for row in settled.superseded:
        assert row.superseded_at is not None
        starts_on = format_date_es(local_date(row.superseded_at))
        note = f"Reemplazado por su renovación, vigente desde el {starts_on}."
        await _move(row, CertificateStatus.INACTIVE, now, after, note)
    for row in settled.started:
        note = f"Empezó su vigencia el {format_date_es(local_date(row.valid_from))}."
        change = await _move(row, CertificateStatus.ACTIVE, now, after, note)
        await queue_certificate_started(mail, row, company, change, predecessors.get(row.id))
    return settled


async def expire(
    mail: MailConfig,
    certificate: Certificate,
    company: Company,
    now: datetime,
    after: AfterCommit,
    plan: ReminderPlan,
) -> bool:
    """Mark it Vencido, with the "expired" email unless the company turned it off, a renewal
    silences it or it was sent; whether the stage was queued."""
    note = f"Venció el {format_date_es(local_date(certificate.valid_until))}."
    await _move(certificate, CertificateStatus.EXPIRED, now, after, note)
    if EXPIRED_STAGE not in plan.stages():
        return False
    if await CertificateReminder.exists(certificate_id=certificate.id, stage=EXPIRED_STAGE.key):
        return False
    renewals = await CertificateRequest.filter(renewal_of_id=certificate.id).only("status")
    if reminders_silenced(row.status for row in renewals):
        return False
    await queue_stage(mail, certificate, company, EXPIRED_STAGE, now, plan.channel)
    return True


async def queue_stage(
    mail: MailConfig,
    certificate: Certificate,
    company: Company,
    stage: ReminderStage,
    now: datetime,
    channel: ReminderChannel,
) -> None:
    """The stage through the company's channel (the email to the principal contact and to the
    confirmed extra recipients, the webhook event, or both) and its ledger row, in the caller's
    transaction; a duplicate raises IntegrityError."""
    email_id: int | None = None
    if channel.by_email:
        event_key = await queue_expiry_stage(mail, certificate, company, stage, now)
        email = await OutboxEmail.get(event_key=event_key).only("id")
        email_id = email.id
        for recipient in await confirmed_recipients(company.id):
            copy_to = (recipient.name or recipient.email, recipient.email)
            await queue_expiry_stage(mail, certificate, company, stage, now, copy_to=copy_to)
    if channel.by_webhook:
        await queue_reminder(certificate, company, stage, now)
    await CertificateReminder.create(
        certificate_id=certificate.id, stage=stage.key, queued_at=now, email_id=email_id
    )


async def _move(
    row: Certificate,
    target: CertificateStatus,
    now: datetime,
    after: AfterCommit,
    note: str,
) -> CertificateStatusChange:
    previous = row.status
    row.status = target
    await save_versioned(row, now, "status")
    change, event = await record_certificate_change(
        row, from_status=previous, actor=None, at=now, note=note
    )
    after.add(event)
    return change
