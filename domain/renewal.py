"""When a company may ask for a certificate, and whether it is a new one or a renewal.

A certificate can be renewed from one calendar month before it expires (for a one-year
certificate, after its first 11 months), and stays renewable after it expired. Before that,
the company already has a usable certificate and is sent to tracking instead of starting a new
request; a revoked certificate does not count, since it can never sign again, nor does one a
renewal already replaces. A company has at most one open request.

`decide_eligibility` is the one decision that submission, resubmission and approval all run,
so no path can lead to a second certificate.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.calendar import add_months, format_date_es, local_date
from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import CertificateStatus, ErrorCode, RequestKind, RequestStatus
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


_CURRENT_PRIORITY = (
    CertificateStatus.ACTIVE,
    CertificateStatus.ISSUED,
)


def current_certificate(
    certificates: Sequence[CertificateSnapshot], now: datetime
) -> CertificateSnapshot | None:
    """The company's certificate that matters now: the active one, else the one issued to start
    later, else an inactive one the company may reactivate, else the most recent."""
    for status in _CURRENT_PRIORITY:
        pool = [c for c in certificates if c.effective(now) is status]
        if pool:
            return max(pool, key=_recency)
    reactivatable = [
        c
        for c in certificates
        if c.effective(now) is CertificateStatus.INACTIVE and not c.replaced(now)
    ]
    pool = reactivatable or list(certificates)
    if not pool:
        return None
    return max(pool, key=_recency)


@dataclass(frozen=True)
class OpenRequest:
    """A request of the company that is still open (in review or rejected)."""

    id: int
    status: RequestStatus


@dataclass(frozen=True)
class SubmissionDecision:
    """What a request is: a first certificate, or the renewal of an existing one."""

    kind: RequestKind
    renewal_of_id: int | None


def renewal_basis(
    certificates: Sequence[CertificateSnapshot], now: datetime
) -> CertificateSnapshot | None:
    """The certificate a request now would renew: the most recent that is neither revoked nor
    already renewed (an approved renewal sets `superseded_at`); None: a first certificate."""
    pool = [
        c
        for c in certificates
        if c.effective(now) is not CertificateStatus.REVOKED and c.superseded_at is None
    ]
    return max(pool, key=_recency) if pool else None


def _refuse_open(open_request: OpenRequest) -> DomainError:
    if open_request.status is RequestStatus.REJECTED:
        return DomainError(
            ErrorCode.REQUEST_AWAITING_CORRECTION,
            f"Tu solicitud número {open_request.id} fue rechazada y está pendiente de corrección. "
            "Corrígela y vuelve a enviarla, o desiste de ella, antes de enviar una solicitud nueva.",
        )
    return DomainError(
        ErrorCode.REQUEST_IN_PROGRESS,
        "Ya tienes una solicitud en trámite. Haz seguimiento al trámite.",
    )


def _not_renewable_yet(current: CertificateSnapshot, now: datetime) -> DomainError:
    valid_until = format_date_es(local_date(current.valid_until))
    opens_on = format_date_es(local_date(renewable_from(current.valid_until)))
    status = current.effective(now)
    if status is CertificateStatus.INACTIVE:
        message = (
            f"Tu certificado está inactivo, pero vigente hasta el {valid_until}. "
            f"Puedes volver a activarlo, y podrás renovarlo desde el {opens_on}."
        )
    elif status is CertificateStatus.ISSUED:
        starts_on = format_date_es(local_date(current.valid_from))
        message = (
            f"Ya tienes un certificado emitido que empieza a regir el {starts_on} y vence el "
            f"{valid_until}. Podrás renovarlo desde el {opens_on}."
        )
    else:
        message = (
            f"Tu certificado está vigente hasta el {valid_until}. "
            f"Podrás renovarlo desde el {opens_on}."
        )
    return DomainError(ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET, message)


def decide_eligibility(
    certificates: Sequence[CertificateSnapshot],
    open_requests: Sequence[OpenRequest],
    now: datetime,
    *,
    request_id: int | None = None,
    requested: SubmissionDecision | None = None,
) -> SubmissionDecision:
    """Whether the company may have a certificate issued from a request, and as what.

    For a submission, leave `request_id` and `requested` out: the answer is what the new request
    will be. For a resubmission or an approval, pass the request's id (it does not count as
    another open request) and what it was submitted as: if the company's situation no longer
    leads to the same kind and renewed certificate, the request is refused as not eligible.
    """
    for other in open_requests:
        if other.id != request_id:
            raise _refuse_open(other)
    basis = renewal_basis(certificates, now)
    if basis is None:
        decision = SubmissionDecision(kind=RequestKind.NEW, renewal_of_id=None)
    elif is_renewal_open(basis.valid_until, now):
        decision = SubmissionDecision(kind=RequestKind.RENEWAL, renewal_of_id=basis.id)
    else:
        raise _not_renewable_yet(basis, now)
    if requested is not None and decision != requested:
        if requested.kind is RequestKind.RENEWAL:
            message = (
                "El certificado que esta solicitud renueva ya no se puede renovar: fue revocado "
                "o ya tiene una renovación. Esta solicitud no puede dar lugar a un certificado; "
                "la empresa debe desistir de ella y enviar una solicitud nueva."
            )
        else:
            message = (
                "La empresa ya tiene un certificado, así que esta solicitud de un certificado "
                "nuevo no puede dar lugar a otro; la empresa debe desistir de ella y, cuando "
                "corresponda, solicitar la renovación."
            )
        raise DomainError(ErrorCode.REQUEST_NOT_ELIGIBLE, message)
    return decision
