"""Rows for tests, the one place for them.

Companies and people are made through the same operator use cases as the CLI (`make_company`,
`make_user`, `make_caller` with a token). Requests, documents and certificates in a chosen state
are written directly with the ORM (`make_request` ...): the notification tests need a row in any
state without walking the whole lifecycle; the service tests go through the use cases instead
(`tests/support/use_cases.py`).
"""

from dataclasses import dataclass
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
from notifications.emails import queue_request_received
from services.auth import authenticate, issue_token
from services.operators import create_company, create_user
from services.principal import Principal

#: The sender and base URL every email test renders with.
MAIL = MailConfig(
    mail_from="Andes Certificados <no-reply@certs.example.co>",
    public_base_url="https://certs.example.co",
)
#: A Tuesday in Bogotá, mid-morning: an ordinary business day away from holidays; the `clock`
#: fixture's time, and when the rows written directly were submitted.
DEFAULT_NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
SUBMITTED_AT = DEFAULT_NOW

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def next_nit() -> str:
    base = str(900_000_000 + _next())
    return f"{base}-{check_digit(base)}"


async def make_company(
    person_type: PersonType = PersonType.LEGAL_ENTITY,
    name: str = "Facturación Ejemplo S.A.S.",
    contact_email: str = "contacto@ejemplo.co",
    contact_name: str = "María Peña",
) -> Company:
    return await create_company(
        nit=next_nit(),
        legal_name=name,
        person_type=person_type,
        contact_name=contact_name,
        contact_email=contact_email,
    )


@dataclass
class Caller:
    user: User
    token: str
    principal: Principal

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_user(role: Role, company: Company | None = None, name: str = "") -> User:
    """A user without a token: a CUSTOMER of `company`, or staff (the company is then ignored)."""
    number = _next()
    return await create_user(
        email=f"{role.value.lower()}{number}@ejemplo.co",
        name=name or f"{role.value.title()} {number}",
        role=role,
        company=company if role is Role.CUSTOMER else None,
    )


async def make_caller(role: Role, company: Company | None = None, name: str = "") -> Caller:
    """A user with a token that never expires, and the principal it authenticates as."""
    user = await make_user(role, company, name)
    now = datetime.now().astimezone()
    token = await issue_token(user.email, now=now, expires_in_days=None)
    principal = await authenticate(token, now=now + timedelta(seconds=1))
    assert principal is not None
    return Caller(user=user, token=token, principal=principal)


# Rows in a chosen state, written directly.


async def make_request(
    company: Company,
    *,
    status: RequestStatus = RequestStatus.IN_REVIEW,
    attempt: int = 1,
    observations: str | None = None,
    submitted_at: datetime = SUBMITTED_AT,
    submitted_by: User | None = None,
) -> CertificateRequest:
    user = submitted_by or await make_user(Role.CUSTOMER, company)
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
    size_bytes: int = 1234,
) -> RequestDocument:
    return await RequestDocument.create(
        request_id=request.id,
        kind=kind,
        file_name=file_name,
        content_type="application/pdf",
        size_bytes=size_bytes,
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
    number = _next()
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


async def queue_received(company: Company, count: int) -> None:
    """`count` distinct "request received" emails (one request each), as `count` submissions
    would queue."""
    user = await make_user(Role.CUSTOMER, company)
    for _ in range(count):
        request = await make_request(company, submitted_by=user)
        await queue_request_received(MAIL, request, company)
