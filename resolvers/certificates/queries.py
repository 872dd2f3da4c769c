"""The nested fields of a certificate that load something or need the clock."""

from datetime import datetime

from domain.renewal import renewal_offered
from models import Certificate, CertificateReminder, CertificateStatusChange
from resolvers.context import AppInfo


def now(info: AppInfo) -> datetime:
    return info.context.deps.clock.now()


async def can_renew(info: AppInfo, row: Certificate) -> bool:
    """In its renewal window (or expired), not revoked nor already renewed, and no request of the
    company in review."""
    if not renewal_offered(row.status, row.replaced_by_id, row.valid_until, now(info)):
        return False
    return not await info.context.loaders.request_in_review.load(row.company_id)


async def history(info: AppInfo, certificate_id: int) -> list[CertificateStatusChange]:
    return await info.context.loaders.history_by_certificate.load(certificate_id)


async def reminders(info: AppInfo, certificate_id: int) -> list[CertificateReminder]:
    return await info.context.loaders.reminders_by_certificate.load(certificate_id)
