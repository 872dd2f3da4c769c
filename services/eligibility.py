"""The rows `domain.renewal.decide_eligibility` decides on, read inside the caller's transaction.

Submission, resubmission and approval all call `check_eligibility` after locking the company
row, so two of them for one company cannot both pass on the same state.
"""

from datetime import datetime

from domain.certificate_lifecycle import CertificateSnapshot
from domain.renewal import OpenRequest, SubmissionDecision, decide_eligibility
from domain.request_lifecycle import OPEN_REQUEST_STATUSES
from models import Certificate, CertificateRequest


def certificate_snapshot(certificate: Certificate) -> CertificateSnapshot:
    return CertificateSnapshot(
        certificate.id,
        certificate.status,
        certificate.valid_from,
        certificate.valid_until,
        superseded_at=certificate.superseded_at,
    )


async def certificate_snapshots(company_id: int) -> list[CertificateSnapshot]:
    rows = await Certificate.filter(company_id=company_id).only(
        "id", "status", "valid_from", "valid_until", "superseded_at"
    )
    return [certificate_snapshot(row) for row in rows]


async def open_requests(company_id: int) -> list[OpenRequest]:
    rows = await CertificateRequest.filter(
        company_id=company_id, status__in=sorted(OPEN_REQUEST_STATUSES)
    ).only("id", "status")
    return [OpenRequest(row.id, row.status) for row in rows]


async def check_eligibility(
    company_id: int, now: datetime, request: CertificateRequest | None = None
) -> SubmissionDecision:
    """What a request of the company leads to now; refuses (DomainError) when it may not.

    With `request`, the request being resubmitted or approved: it must still lead to what it
    was submitted as."""
    requested = (
        SubmissionDecision(kind=request.kind, renewal_of_id=request.renewal_of_id)
        if request is not None
        else None
    )
    return decide_eligibility(
        await certificate_snapshots(company_id),
        await open_requests(company_id),
        now,
        request_id=request.id if request is not None else None,
        requested=requested,
    )
