"""Queuing the emails of DOMAIN.md's "Emails" section as outbox rows.

Each function renders one message from the template files and inserts one `OutboxEmail` row.
It must be awaited inside the caller's open transaction (`async with in_transaction():`), so the
email is committed together with the status change that causes it, or not at all; it never
opens a transaction of its own nor commits.

Every email is identified by an event key (for example `request:7:rejected:2`), unique in the
table. Queuing the same event again is a no-op: the row is looked up first, and the insert uses
`ON CONFLICT DO NOTHING` as the backstop for a concurrent transaction queuing the same event,
so a duplicate never raises an integrity error that would abort the caller's transaction. The
Message-ID is derived from the event key too, so it is the same on every delivery attempt and
a mail client can tell a redelivery from a new message.

The recipient is the company's principal contact as it is when the event happens; a later
change of contact does not redirect emails already queued.
"""

import copy
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from domain.calendar import BOGOTA, expected_decision_by, format_date_es, local_date
from domain.certificate_lifecycle import certificate_status_label
from domain.documents import document_kind_label
from domain.enums import RequestKind
from domain.reminders import ReminderKind, ReminderStage, time_left_es
from domain.renewal import is_renewal_open, renewable_from
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    RequestDocument,
)
from models.outbox import EmailKind, OutboxEmail, OutboxStatus
from notifications.config import MailConfig
from notifications.rendering import (
    Fragment,
    RenderedEmail,
    join_fragments,
    load_template,
    render_email,
    render_fragment,
)


def message_id_for(event_key: str, config: MailConfig) -> str:
    """The Message-ID of an event: stable, globally unique per installation and event."""
    settings = config
    seed = f"{settings.public_base_url}\n{event_key}".encode()
    digest = hashlib.sha1(seed, usedforsecurity=False).hexdigest()
    return f"<{digest}@{settings.sender_domain}>"


def phrase(name: str) -> str:
    """A short fixed text from `templates/part.<name>.txt` (one line, no placeholders)."""
    return load_template(f"part.{name}.txt").template.strip()


def _date_es(at: datetime) -> str:
    return format_date_es(local_date(at))


def _datetime_es(at: datetime) -> str:
    local = at.astimezone(BOGOTA)
    return f"{format_date_es(local.date())} a las {local:%H:%M}"


def _kind_label(kind: RequestKind) -> str:
    return phrase("request_kind_new" if kind == RequestKind.NEW else "request_kind_renewal")


def _common_values(company: Company, config: MailConfig) -> dict[str, str]:
    return {
        "contact_name": company.contact_name,
        "legal_name": company.legal_name,
        "nit": company.nit,
        "portal_url": config.public_base_url,
    }


def _request_values(request: CertificateRequest) -> dict[str, str]:
    return {
        "request_id": str(request.id),
        "attempt": str(request.attempt),
        "kind_label": _kind_label(request.kind),
        "submitted_on": _date_es(request.submitted_at),
        "decision_by": format_date_es(expected_decision_by(request.submitted_at)),
    }


async def _queue(
    mail: MailConfig,
    *,
    event_key: str,
    kind: EmailKind,
    company: Company,
    template: str,
    values: Mapping[str, str],
    fragments: Mapping[str, Fragment] | None = None,
    to: tuple[str, str] | None = None,
) -> None:
    """`to` (name, address) overrides the company's principal contact as the recipient."""
    if await OutboxEmail.exists(event_key=event_key):
        return
    config = mail
    rendered: RenderedEmail = render_email(
        template, {**_common_values(company, config), **values}, fragments
    )
    row = OutboxEmail(
        event_key=event_key,
        kind=kind,
        company_id=company.id,
        mail_from=config.mail_from,
        to_name=to[0] if to else company.contact_name,
        to_email=to[1] if to else company.contact_email,
        message_id=message_id_for(event_key, config),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
    )
    # ON CONFLICT DO NOTHING: a concurrent twin of this event loses quietly, and the caller's
    # transaction stays usable (a raised IntegrityError would abort it on PostgreSQL).
    await OutboxEmail.bulk_create([row], ignore_conflicts=True)


async def queue_request_received(
    mail: MailConfig, request: CertificateRequest, company: Company
) -> None:
    """On submit and on every resubmit (one email per attempt)."""
    await _queue(
        mail,
        event_key=f"request:{request.id}:received:{request.attempt}",
        kind=EmailKind.REQUEST_RECEIVED,
        company=company,
        template="request_received" if request.attempt <= 1 else "request_resubmitted",
        values=_request_values(request),
    )


def _flagged_documents(flagged: Sequence[RequestDocument]) -> Fragment:
    if not flagged:
        return render_fragment("no_flagged_documents", {})
    items = join_fragments(
        render_fragment(
            "flagged_document",
            {
                "label": document_kind_label(document.kind),
                "file_name": document.file_name,
                "observation": (document.observation or "").strip()
                or phrase("no_document_observation"),
            },
        )
        for document in flagged
    )
    listing = load_template("part.flagged_documents_list.html").substitute(items=items.html)
    return Fragment(text=items.text, html=listing.rstrip("\n"))


async def queue_request_rejected(
    mail: MailConfig,
    request: CertificateRequest,
    company: Company,
    flagged: Sequence[RequestDocument],
) -> None:
    """The rejection, with the reviewer's observations, the flagged documents and the steps."""
    await _queue(
        mail,
        event_key=f"request:{request.id}:rejected:{request.attempt}",
        kind=EmailKind.REQUEST_REJECTED,
        company=company,
        template="request_rejected",
        values={
            **_request_values(request),
            "observations": (request.observations or "").strip() or phrase("no_observations"),
        },
        fragments={"documents": _flagged_documents(flagged)},
    )


def _sentence(name: str, values: Mapping[str, str]) -> str:
    """A one-line text from `templates/part.<name>.txt` with `values` substituted."""
    return load_template(f"part.{name}.txt").substitute(values).strip()


async def queue_request_approved(
    mail: MailConfig,
    request: CertificateRequest,
    company: Company,
    certificate: Certificate,
    now: datetime,
) -> None:
    """The approval, with the certificate's serial, its dates in Bogotá and from when it can be
    used: now, or from its start date when that is later."""
    valid_from = _date_es(certificate.valid_from)
    usable_from = (
        _sentence("usable_now", {})
        if certificate.valid_from <= now
        else _sentence("usable_from", {"valid_from": valid_from})
    )
    await _queue(
        mail,
        event_key=f"request:{request.id}:approved",
        kind=EmailKind.REQUEST_APPROVED,
        company=company,
        template="request_approved",
        values={
            **_request_values(request),
            "serial_number": certificate.serial_number,
            "issuer": certificate.issuer,
            "valid_from": valid_from,
            "valid_until": _date_es(certificate.valid_until),
            "usable_from": usable_from,
        },
    )


async def queue_request_withdrawn(
    mail: MailConfig,
    request: CertificateRequest,
    company: Company,
    reason: str | None,
    *,
    automatic: bool,
    days: int = 0,
) -> None:
    """A rejected request was given up: by the company (with its reason, if any), or by the job
    after `days` days uncorrected."""
    why = (
        _sentence("withdrawn_automatically", {"days": str(days)})
        if automatic
        else _sentence("withdrawn_by_company", {})
    )
    reason_fragment = (
        render_fragment("withdraw_reason", {"reason": reason})
        if reason and not automatic
        else Fragment(text="", html="")
    )
    await _queue(
        mail,
        event_key=f"request:{request.id}:withdrawn",
        kind=EmailKind.REQUEST_WITHDRAWN,
        company=company,
        template="request_withdrawn",
        values={**_request_values(request), "why": why},
        fragments={"reason": reason_fragment},
    )


async def queue_certificate_started(
    mail: MailConfig,
    certificate: Certificate,
    company: Company,
    change: CertificateStatusChange,
    replaced: Certificate | None,
) -> None:
    """An Emitido certificate reached its validFrom and is now Activo; the one it replaces, if
    any, is set aside for good."""
    await _queue(
        mail,
        event_key=f"certificate:{certificate.id}:started",
        kind=EmailKind.CERTIFICATE_STARTED,
        company=company,
        template="certificate_started",
        values={
            "serial_number": certificate.serial_number,
            "issuer": certificate.issuer,
            "valid_from": _date_es(certificate.valid_from),
            "valid_until": _date_es(certificate.valid_until),
        },
        fragments={
            "replaced": render_fragment("started_replaces", {"old_serial": replaced.serial_number})
            if replaced is not None
            else Fragment(text="", html="")
        },
    )


async def queue_certificate_state_changed(
    mail: MailConfig, certificate: Certificate, company: Company, change: CertificateStatusChange
) -> None:
    """A certificate moved from one status to another; the note says why, when there is one."""
    note = (change.note or "").strip()
    await _queue(
        mail,
        event_key=f"certificate:{certificate.id}:status:{change.id}",
        kind=EmailKind.CERTIFICATE_STATE_CHANGED,
        company=company,
        template="certificate_state_changed",
        values={
            "serial_number": certificate.serial_number,
            "from_label": certificate_status_label(change.from_status)
            if change.from_status is not None
            else phrase("no_previous_status"),
            "to_label": certificate_status_label(change.to_status),
            "changed_at": _datetime_es(change.at),
            "actor": change.actor_name or phrase("actor_system"),
        },
        fragments={
            "note": render_fragment("change_note", {"note": note})
            if note
            else Fragment(text="", html="")
        },
    )


async def queue_contact_changed(
    mail: MailConfig, company: Company, *, old_name: str, old_email: str, actor: str, at: datetime
) -> None:
    """To the *previous* principal contact: the new address now gets every email, so a change
    made by someone else must not go unnoticed (the new contact hears from later emails)."""
    stamp = at.strftime("%Y%m%dT%H%M%S%f")
    await _queue(
        mail,
        event_key=f"company:{company.id}:contact-changed:{stamp}",
        kind=EmailKind.CONTACT_CHANGED,
        company=company,
        template="contact_changed",
        values={
            "old_contact_name": old_name,
            "new_contact_name": company.contact_name,
            "new_contact_email": company.contact_email,
            "changed_at": _datetime_es(at),
            "actor": actor,
        },
        to=(old_name, old_email),
    )


# --- The expiry timeline: renewal open, reminders, expired ----------------------------------------


def reminder_event_key(certificate: Certificate, stage: ReminderStage) -> str:
    return f"certificate:{certificate.id}:reminder:{stage.key}"


def _expiry_values(certificate: Certificate, now: datetime) -> dict[str, str]:
    return {
        "serial_number": certificate.serial_number,
        "issuer": certificate.issuer,
        "valid_until": _date_es(certificate.valid_until),
        "expires_at": _datetime_es(certificate.valid_until),
        "time_left": time_left_es(certificate.valid_until, now),
        "renewable_from": _date_es(renewable_from(certificate.valid_until)),
    }


async def _queue_expiry_email(
    mail: MailConfig,
    certificate: Certificate,
    company: Company,
    stage: ReminderStage,
    now: datetime,
    *,
    kind: EmailKind,
    template: str,
    fragments: Mapping[str, Fragment] | None = None,
    copy_key: str | None = None,
) -> str:
    event_key = reminder_event_key(certificate, stage)
    if copy_key is not None:
        event_key = f"{event_key}:copy:{copy_key}"
    values = _expiry_values(certificate, now)
    steps = render_fragment("renewal_steps", {"portal_url": mail.public_base_url})
    await _queue(
        mail,
        event_key=event_key,
        kind=kind,
        company=company,
        template=template,
        values=values,
        fragments={"steps": steps, **(fragments or {})},
    )
    return event_key


async def queue_certificate_renewal_open(
    mail: MailConfig,
    certificate: Certificate,
    company: Company,
    now: datetime,
    copy_key: str | None = None,
) -> str:
    """The renewal window opened (one calendar month before expiry); returns the event key."""
    return await _queue_expiry_email(
        mail,
        certificate,
        company,
        ReminderStage(ReminderKind.RENEWAL_OPEN),
        now,
        kind=EmailKind.CERTIFICATE_RENEWAL_OPEN,
        template="certificate_renewal_open",
        copy_key=copy_key,
    )


async def queue_certificate_expiry_reminder(
    mail: MailConfig,
    certificate: Certificate,
    company: Company,
    days_before: int,
    now: datetime,
    copy_key: str | None = None,
) -> str:
    """The reminder of the stage `days_before`: the time left counted at `now`, the expiry date
    in Bogotá, and how to renew (now, or from when). Returns the event key."""
    renewal = (
        render_fragment("renewal_available", {})
        if is_renewal_open(certificate.valid_until, now)
        else render_fragment(
            "renewal_opens_on",
            {"renewable_from": _date_es(renewable_from(certificate.valid_until))},
        )
    )
    return await _queue_expiry_email(
        mail,
        certificate,
        company,
        ReminderStage(ReminderKind.BEFORE_EXPIRY, days_before),
        now,
        kind=EmailKind.CERTIFICATE_EXPIRY_REMINDER,
        template="certificate_expiry_reminder",
        fragments={"renewal": renewal},
        copy_key=copy_key,
    )


async def queue_certificate_expired(
    mail: MailConfig,
    certificate: Certificate,
    company: Company,
    now: datetime,
    copy_key: str | None = None,
) -> str:
    """The certificate expired and was marked Vencido; how to renew it. Returns the event key."""
    return await _queue_expiry_email(
        mail,
        certificate,
        company,
        ReminderStage(ReminderKind.EXPIRED),
        now,
        kind=EmailKind.CERTIFICATE_EXPIRED,
        template="certificate_expired",
        copy_key=copy_key,
    )


async def queue_expiry_stage(
    mail: MailConfig,
    certificate: Certificate,
    company: Company,
    stage: ReminderStage,
    now: datetime,
    copy_to: tuple[str, str] | None = None,
) -> str:
    """The email of any stage of the expiry timeline; returns its event key.

    `copy_to` (name, address): a copy for an extra recipient the company confirmed, under an
    event key of its own, instead of the principal contact's email.
    """
    copy_key = None
    if copy_to is not None:
        company = copy.copy(company)
        company.contact_name, company.contact_email = copy_to
        copy_key = copy_to[1]
    if stage.kind is ReminderKind.RENEWAL_OPEN:
        return await queue_certificate_renewal_open(mail, certificate, company, now, copy_key)
    if stage.kind is ReminderKind.EXPIRED:
        return await queue_certificate_expired(mail, certificate, company, now, copy_key)
    assert stage.days_before is not None
    return await queue_certificate_expiry_reminder(
        mail, certificate, company, stage.days_before, now, copy_key
    )
