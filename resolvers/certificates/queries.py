"""The nested fields of a certificate that load something or need the clock."""

from datetime import datetime

from domain.certificate_lifecycle import allowed_state_changes, effective_status
from domain.enums import CertificateStatus
from domain.renewal import renewal_offered
from domain.renewal_window import RenewalWindow, suggested_renewal_window
from models import Certificate, CertificateReminder, CertificateStatusChange
from resolvers.context import AppInfo


def now(info: AppInfo) -> datetime:
    return info.context.deps.clock.now()


def status(info: AppInfo, row: Certificate) -> CertificateStatus:
    """The status now, derived from the clock (ISSUED until validFrom, EXPIRED from validUntil,
    INACTIVE once the renewal that replaces it started)."""
    return effective_status(
        row.status, row.valid_from, row.valid_until, now(info), superseded_at=row.superseded_at
    )


def allowed_changes(info: AppInfo, row: Certificate) -> list[CertificateStatus]:
    """What changeCertificateState accepts now: the same table decides both."""
    return allowed_state_changes(
        row.status,
        row.valid_until,
        now(info),
        valid_from=row.valid_from,
        superseded_at=row.superseded_at,
    )


async def can_renew(info: AppInfo, row: Certificate) -> bool:
    """In its renewal window (or expired), not revoked nor already renewed, and no open request
    of the company (in review, or rejected and awaiting correction)."""
    if not renewal_offered(status(info, row), row.replaced_by_id, row.valid_until, now(info)):
        return False
    return not await info.context.loaders.request_in_review.load(row.company_id)


def renewal_window(info: AppInfo, row: Certificate) -> RenewalWindow | None:
    """The suggested renewal window; its end is RENEWAL_WINDOW_END_DAYS days before expiry."""
    return suggested_renewal_window(
        status(info, row),
        row.replaced_by_id,
        row.valid_until,
        info.context.deps.renewal_window_end_days,
    )


async def history(info: AppInfo, certificate_id: int) -> list[CertificateStatusChange]:
    return await info.context.loaders.history_by_certificate.load(certificate_id)


async def reminders(info: AppInfo, certificate_id: int) -> list[CertificateReminder]:
    return await info.context.loaders.reminders_by_certificate.load(certificate_id)
