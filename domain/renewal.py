"""When a company may ask for a certificate, and whether it is a new one or a renewal.

A certificate can be renewed from one calendar month before it expires (for a one-year
certificate, after its first 11 months), and stays renewable after it expired. Before that,
the company already has a usable certificate and is sent to tracking instead of starting a new
request; a revoked certificate does not count, since it can never sign again. Only one request
may be in review at a time.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.calendar import add_months, format_date_es, local_date
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus, ErrorCode, RequestKind
from domain.errors import DomainError

RENEWAL_WINDOW_MONTHS = 1


def renewable_from(valid_until: datetime) -> datetime:
    """The instant from which the certificate may be renewed: one calendar month before expiry."""
    return add_months(valid_until, -RENEWAL_WINDOW_MONTHS)


def is_renewal_open(valid_until: datetime, now: datetime) -> bool:
    """Whether the renewal window has opened (it never closes, not even after expiry)."""
    return now >= renewable_from(valid_until)


def renewal_offered(
    status: CertificateStatus, replaced_by_id: int | None, valid_until: datetime, now: datetime
) -> bool:
    """Whether the tracking screen offers to renew this certificate, as far as the certificate
    decides: in its window (or expired), neither revoked nor already renewed. The caller adds the
    other condition, that no request of the company is in review."""
    if status is CertificateStatus.REVOKED or replaced_by_id is not None:
        return False
    return is_renewal_open(valid_until, now)


def days_until_expiry(valid_until: datetime, now: datetime) -> int:
    """Calendar days in Bogotá from today until the expiry date; negative once expired."""
    return (local_date(valid_until) - local_date(now)).days


def _recency(certificate: CertificateSnapshot) -> tuple[datetime, int]:
    return (certificate.valid_from, certificate.id)


def current_certificate(
    certificates: Sequence[CertificateSnapshot],
) -> CertificateSnapshot | None:
    """The company's certificate that matters now: the active one, else the most recent."""
    active = [c for c in certificates if c.status == CertificateStatus.ACTIVE]
    pool = active or list(certificates)
    if not pool:
        return None
    return max(pool, key=_recency)


@dataclass(frozen=True)
class SubmissionDecision:
    """What a new submission will be: a first certificate, or the renewal of an existing one."""

    kind: RequestKind
    renewal_of_id: int | None


def decide_submission(
    certificates: Sequence[CertificateSnapshot],
    has_request_in_review: bool,
    now: datetime,
) -> SubmissionDecision:
    """Decide whether the company may submit now, and as what; refuse with the reason if not."""
    if has_request_in_review:
        raise DomainError(
            ErrorCode.REQUEST_IN_PROGRESS,
            "Ya tienes una solicitud en trámite. Haz seguimiento al trámite.",
        )
    usable = [c for c in certificates if c.status != CertificateStatus.REVOKED]
    current = current_certificate(usable)
    if current is None:
        return SubmissionDecision(kind=RequestKind.NEW, renewal_of_id=None)
    if is_renewal_open(current.valid_until, now):
        return SubmissionDecision(kind=RequestKind.RENEWAL, renewal_of_id=current.id)
    valid_until = format_date_es(local_date(current.valid_until))
    opens_on = format_date_es(local_date(renewable_from(current.valid_until)))
    if current.status == CertificateStatus.INACTIVE:
        message = (
            f"Tu certificado está inactivo, pero vigente hasta el {valid_until}. "
            f"Puedes volver a activarlo, y podrás renovarlo desde el {opens_on}."
        )
    else:
        message = (
            f"Tu certificado está vigente hasta el {valid_until}. "
            f"Podrás renovarlo desde el {opens_on}."
        )
    raise DomainError(ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET, message)
