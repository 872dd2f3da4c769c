"""The tracking screen of a company: its certificate, its requests, the notices and what it may do.

Everything here is derived from the current state as of `now` (certificate statuses are the
effective ones, moved by the clock): the notices, whether a request may be submitted and as what
(the same `decide_eligibility` that submission runs), and the request awaiting correction.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from domain.enums import CertificateStatus, RequestKind, RequestStatus
from domain.errors import DomainError
from domain.notices import Notice, NoticeState, OpenRequestView, tracking_notices
from domain.renewal import OpenRequest, current_certificate, decide_eligibility
from domain.request_lifecycle import OPEN_REQUEST_STATUSES
from models import Certificate, CertificateRequest, CertificateStatusChange, Company
from services.eligibility import certificate_snapshot


@dataclass(frozen=True)
class Tracking:
    company: Company
    certificate: Certificate | None
    latest_request: CertificateRequest | None
    notices: list[Notice]
    next_request_kind: RequestKind | None
    request_awaiting_correction: CertificateRequest | None = field(default=None)

    @property
    def can_submit_request(self) -> bool:
        return self.next_request_kind is not None


def build_tracking(
    company: Company,
    certificates: Sequence[Certificate],
    latest_request: CertificateRequest | None,
    open_requests: Sequence[CertificateRequest],
    now: datetime,
    revocation_reasons: Mapping[int, str] | None = None,
) -> Tracking:
    """Pure assembly from rows already loaded, so loaders can batch the reads for many companies."""
    reasons = revocation_reasons or {}
    snapshots = [
        replace(certificate_snapshot(c), revocation_reason=reasons.get(c.id)) for c in certificates
    ]
    current = current_certificate(snapshots, now)
    by_id = {c.id: c for c in certificates}
    try:
        next_kind: RequestKind | None = decide_eligibility(
            snapshots, [OpenRequest(r.id, r.status) for r in open_requests], now
        ).kind
    except DomainError:
        next_kind = None
    open_request = min(open_requests, key=lambda r: r.id) if open_requests else None
    approved = None
    if latest_request is not None and latest_request.status is RequestStatus.COMPLETED:
        approved = next((s for s in snapshots if _issued_by(by_id[s.id], latest_request)), None)
    state = NoticeState(
        now=now,
        open_request=OpenRequestView(
            open_request.id, open_request.status, open_request.observations
        )
        if open_request
        else None,
        approved_certificate=approved,
        certificate=current,
    )
    awaiting = next((r for r in open_requests if r.status is RequestStatus.REJECTED), None)
    return Tracking(
        company=company,
        certificate=by_id[current.id] if current else None,
        latest_request=latest_request,
        notices=tracking_notices(state),
        next_request_kind=next_kind,
        request_awaiting_correction=awaiting,
    )


def revoked_current(certificates: Sequence[Certificate], now: datetime) -> int | None:
    """The id of the current certificate when it is revoked: its notice gives the reason."""
    current = current_certificate([certificate_snapshot(c) for c in certificates], now)
    if current is not None and current.effective(now) is CertificateStatus.REVOKED:
        return current.id
    return None


def _issued_by(certificate: Certificate, request: CertificateRequest) -> bool:
    return certificate.request_id == request.id


async def load_tracking(company: Company, now: datetime) -> Tracking:
    certificates = await Certificate.filter(company_id=company.id)
    latest = (
        await CertificateRequest.filter(company_id=company.id)
        .order_by("-submitted_at", "-id")
        .first()
    )
    if latest is not None and latest.status in OPEN_REQUEST_STATUSES:
        open_requests = [latest]
    else:
        open_requests = await CertificateRequest.filter(
            company_id=company.id, status__in=sorted(OPEN_REQUEST_STATUSES)
        )
    reasons: dict[int, str] = {}
    revoked = revoked_current(certificates, now)
    if revoked is not None:
        revocation = (
            await CertificateStatusChange.filter(
                certificate_id=revoked, to_status=CertificateStatus.REVOKED
            )
            .order_by("-at", "-id")
            .first()
        )
        if revocation is not None and revocation.note:
            reasons[revoked] = revocation.note
    return build_tracking(company, certificates, latest, open_requests, now, reasons)
