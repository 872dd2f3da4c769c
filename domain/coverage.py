"""Can the company sign on a given date? Which certificate covers it, and if none, why not.

A certificate covers a date (a calendar day in Bogotá) when its validity [validFrom, validUntil)
overlaps that day and its status lets it sign then: ACTIVE, or ISSUED (approved, starting at
validFrom; it covers the days from its start). Status is the one derived from the clock now
(`CertificateSnapshot.effective`), not the stored one: an INACTIVE certificate is reactivated by
the company, a REVOKED one never signs again, and one past validUntil, or set aside by the renewal
that started, is expired (inactive) for this question even before the scheduled job persists it.

When none covers the date, the reason comes from the certificate that matters for that date: the
one whose validity contains it (inactive, revoked, expired), else the next one to start after it
(not yet started), else the last one that ended before it (expired). Nothing here reads the
clock: the caller passes `now`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from domain.calendar import BOGOTA, format_date_es, local_date
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus

#: Statuses that sign during the validity: ACTIVE, and ISSUED from its validFrom.
SIGNING_STATUSES = frozenset({CertificateStatus.ACTIVE, CertificateStatus.ISSUED})


class CoverageReason(StrEnum):
    NO_CERTIFICATE = "NO_CERTIFICATE"
    INACTIVE = "INACTIVE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_STARTED = "NOT_YET_STARTED"


@dataclass(frozen=True)
class Coverage:
    on: date
    certificate: CertificateSnapshot | None
    reason: CoverageReason | None
    message: str

    @property
    def covered(self) -> bool:
        return self.reason is None


def day_bounds(on: date) -> tuple[datetime, datetime]:
    """The day in Bogotá as a half-open UTC interval [00:00, next 00:00)."""
    start = datetime.combine(on, time(0), tzinfo=BOGOTA).astimezone(UTC)
    return start, datetime.combine(on + timedelta(days=1), time(0), tzinfo=BOGOTA).astimezone(UTC)


def overlaps(certificate: CertificateSnapshot, on: date) -> bool:
    start, end = day_bounds(on)
    return certificate.valid_from < end and certificate.valid_until > start


def _recent_first(certificate: CertificateSnapshot) -> tuple[datetime, int]:
    return (certificate.valid_from, certificate.id)


def coverage_on(certificates: Sequence[CertificateSnapshot], on: date, now: datetime) -> Coverage:
    """Whether a certificate covers `on`, which one, and if none why, with each certificate's
    status as the clock makes it at `now`; see the module docs."""
    certificates = [replace(c, status=c.effective(now)) for c in certificates]
    day = format_date_es(on)
    containing = sorted(
        (c for c in certificates if overlaps(c, on)), key=_recent_first, reverse=True
    )
    for certificate in containing:
        if certificate.status in SIGNING_STATUSES:
            starts = local_date(certificate.valid_from)
            if starts == on and certificate.valid_from > day_bounds(on)[0]:
                message = (
                    f"Puedes firmar el {day}: tu certificado rige desde ese día a las "
                    f"{certificate.valid_from.astimezone(BOGOTA):%H:%M}."
                )
            else:
                message = f"Puedes firmar el {day} con tu certificado digital."
            return Coverage(on, certificate, None, message)
    if not certificates:
        return Coverage(
            on,
            None,
            CoverageReason.NO_CERTIFICATE,
            "La empresa no tiene un certificado digital. Solicítalo para poder firmar.",
        )
    if containing:
        return _refused_by_status(containing[0], on)
    later = [c for c in certificates if c.valid_from >= day_bounds(on)[1]]
    usable_later = [c for c in later if c.status is not CertificateStatus.REVOKED]
    if usable_later:
        first = min(usable_later, key=_recent_first)
        return Coverage(
            on,
            first,
            CoverageReason.NOT_YET_STARTED,
            f"El {day} tu certificado aún no rige: empieza el "
            f"{format_date_es(local_date(first.valid_from))}.",
        )
    if later:
        return _refused_by_status(min(later, key=_recent_first), on)
    last = max(certificates, key=lambda c: (c.valid_until, c.id))
    if last.status is CertificateStatus.REVOKED:
        return _refused_by_status(last, on)
    return Coverage(
        on,
        last,
        CoverageReason.EXPIRED,
        f"No puedes firmar el {day}: la vigencia de tu certificado termina el "
        f"{format_date_es(local_date(last.valid_until))}. Solicita la renovación.",
    )


def _refused_by_status(certificate: CertificateSnapshot, on: date) -> Coverage:
    day = format_date_es(on)
    if certificate.status is CertificateStatus.REVOKED:
        return Coverage(
            on,
            certificate,
            CoverageReason.REVOKED,
            f"No puedes firmar el {day}: tu certificado fue revocado. Solicita uno nuevo.",
        )
    if certificate.status is CertificateStatus.INACTIVE:
        return Coverage(
            on,
            certificate,
            CoverageReason.INACTIVE,
            f"No puedes firmar el {day}: tu certificado está inactivo. Actívalo para firmar.",
        )
    return Coverage(
        on,
        certificate,
        CoverageReason.EXPIRED,
        f"No puedes firmar el {day}: tu certificado está vencido. Solicita la renovación.",
    )
