"""Rows built directly with the ORM, so these tests do not depend on the services being written."""

import itertools
from datetime import UTC, datetime, timedelta

from domain.enums import (
    CertificateStatus,
    DocumentKind,
    IdentityDocumentType,
    PersonType,
    RequestKind,
    RequestStatus,
    Role,
)
from domain.nit import check_digit
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    RequestDocument,
    User,
)
from notifications.config import MailConfig

#: The sender and base URL every email test renders with.
MAIL = MailConfig(
    mail_from="Andes Certificados <no-reply@certs.example.co>",
    public_base_url="https://certs.example.co",
)
SUBMITTED_AT = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
_sequence = itertools.count(1)


async def make_company(
    *,
    contact_name: str = "María José Peña Ñáñez",
    contact_email: str = "maria.pena@example.co",
    legal_name: str = "Panadería El Niño S.A.S.",
) -> Company:
    number = next(_sequence)
    base = f"9001{number:05d}"
    return await Company.create(
        nit_base=base,
        nit_check_digit=check_digit(base),
        legal_name=legal_name,
        person_type=PersonType.LEGAL_ENTITY,
        contact_name=contact_name,
        contact_email=contact_email,
    )


async def make_user(company: Company | None = None, role: Role = Role.CUSTOMER) -> User:
    number = next(_sequence)
    return await User.create(
        email=f"user{number}@example.co",
        name=f"Usuario {number}",
        role=role,
        company_id=company.id if company else None,
    )


async def make_request(
    company: Company,
    *,
    status: RequestStatus = RequestStatus.IN_REVIEW,
    attempt: int = 1,
    observations: str | None = None,
    submitted_at: datetime = SUBMITTED_AT,
    submitted_by: User | None = None,
) -> CertificateRequest:
    user = submitted_by or await make_user(company)
    return await CertificateRequest.create(
        company_id=company.id,
        kind=RequestKind.NEW,
        status=status,
        attempt=attempt,
        legal_representative_name="José Ramírez",
        legal_representative_id_type=IdentityDocumentType.CC,
        legal_representative_id_number="1020304050",
        validity_starts_on=submitted_at.date(),
        submitted_at=submitted_at,
        observations=observations,
        submitted_by_id=user.id,
    )


async def make_document(
    request: CertificateRequest,
    kind: DocumentKind,
    *,
    observation: str | None = None,
    file_name: str = "documento.pdf",
) -> RequestDocument:
    return await RequestDocument.create(
        request_id=request.id,
        kind=kind,
        file_name=file_name,
        content_type="application/pdf",
        size_bytes=1234,
        sha256="0" * 64,
        uploaded_at=request.submitted_at,
        observation=observation,
        attempt=request.attempt,
    )


async def make_certificate(
    request: CertificateRequest,
    *,
    valid_from: datetime = datetime(2026, 11, 25, 4, 30, tzinfo=UTC),
    status: CertificateStatus = CertificateStatus.ACTIVE,
) -> Certificate:
    number = next(_sequence)
    return await Certificate.create(
        company_id=request.company_id,
        request_id=request.id,
        serial_number=f"SN-{number:08d}",
        issuer="Andes SCD",
        status=status,
        valid_from=valid_from,
        valid_until=valid_from + timedelta(days=365),
    )


async def make_status_change(
    certificate: Certificate,
    *,
    from_status: CertificateStatus | None,
    to_status: CertificateStatus,
    note: str | None = None,
    at: datetime = datetime(2027, 1, 15, 20, 5, tzinfo=UTC),
    actor_name: str | None = "Ana Gómez",
) -> CertificateStatusChange:
    return await CertificateStatusChange.create(
        certificate_id=certificate.id,
        from_status=from_status,
        to_status=to_status,
        at=at,
        actor_name=actor_name,
        actor_role=Role.CUSTOMER if actor_name else None,
        note=note,
    )
