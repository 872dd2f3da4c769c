"""The tracking screen of a company: its certificate, its latest request, the notices and what it may do."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.certificate_lifecycle import CertificateSnapshot
from domain.enums import RequestKind, RequestStatus
from domain.errors import DomainError
from domain.notices import Notice, tracking_notices
from domain.renewal import current_certificate, decide_submission
from models import Certificate, CertificateRequest, Company


@dataclass(frozen=True)
class Tracking:
    company: Company
    certificate: Certificate | None
    latest_request: CertificateRequest | None
    notices: list[Notice]
    next_request_kind: RequestKind | None

    @property
    def can_submit_request(self) -> bool:
        return self.next_request_kind is not None


def snapshot(certificate: Certificate) -> CertificateSnapshot:
    return CertificateSnapshot(
        certificate.id, certificate.status, certificate.valid_from, certificate.valid_until
    )


def build_tracking(
    company: Company,
    certificates: Sequence[Certificate],
    latest_request: CertificateRequest | None,
    has_request_in_review: bool,
    now: datetime,
) -> Tracking:
    """Pure assembly from rows already loaded, so loaders can batch the reads for many companies."""
    snapshots = [snapshot(c) for c in certificates]
    current = current_certificate(snapshots)
    by_id = {c.id: c for c in certificates}
    try:
        next_kind: RequestKind | None = decide_submission(
            snapshots, has_request_in_review, now
        ).kind
    except DomainError:
        next_kind = None
    return Tracking(
        company=company,
        certificate=by_id[current.id] if current else None,
        latest_request=latest_request,
        notices=tracking_notices(latest_request.status if latest_request else None, current, now),
        next_request_kind=next_kind,
    )


async def load_tracking(company: Company, now: datetime) -> Tracking:
    certificates = await Certificate.filter(company_id=company.id)
    latest = (
        await CertificateRequest.filter(company_id=company.id)
        .order_by("-submitted_at", "-id")
        .first()
    )
    in_review = latest is not None and latest.status is RequestStatus.IN_REVIEW
    if not in_review:
        in_review = await CertificateRequest.exists(
            company_id=company.id, status=RequestStatus.IN_REVIEW
        )
    return build_tracking(company, certificates, latest, in_review, now)
