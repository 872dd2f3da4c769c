"""A fresh database per run, migrated, and filled fast with realistic rows (bulk inserts, not the API).

Every company has a customer user with a token, and a history of requests: earlier ones rejected,
completed ones with their certificate, the latest in any status (renewals in review among them).
Each request has its three documents and its status history; each certificate its history.
"""

import hashlib
import random
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from devkit.database import create_migrated_postgres_database, drop_postgres_database
from domain.calendar import local_date
from domain.certificate_lifecycle import ISSUER
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
    ApiToken,
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    RequestDocument,
    RequestStatusChange,
    User,
)
from models.database import tortoise_config
from models.migrate import apply_migrations
from services.auth import TOKEN_PREFIX, hash_token

POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BATCH = 2000
TABLES = (
    "companies",
    "users",
    "api_tokens",
    "certificate_requests",
    "request_documents",
    "request_status_changes",
    "certificates",
    "certificate_status_changes",
    "outbox_emails",
)
DOCUMENT_KINDS = (
    DocumentKind.RUT,
    DocumentKind.LEGAL_REPRESENTATIVE_ID,
    DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE,
)


@dataclass(frozen=True)
class Sizes:
    companies: int
    requests: int
    certificates: int


@dataclass
class Dataset:
    """What the benchmarks need to know about the rows they run against."""

    database_url: str
    customer_tokens: list[str] = field(default_factory=list)
    reviewer_token: str = ""
    in_review_request_ids: list[int] = field(default_factory=list)
    #: The company of each request in review, by request id.
    company_of_request: dict[int, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def customer_tokens_shuffled(self) -> list[str]:
        """The customers' tokens in a fixed shuffled order: the load visits companies scattered
        over the tables, not in id order, and the same ones from run to run."""
        tokens = list(self.customer_tokens)
        random.Random(3).shuffle(tokens)  # noqa: S311 - an order, not a secret
        return tokens


@asynccontextmanager
async def fresh_database(kind: str, admin_url: str = POSTGRES_ADMIN_URL) -> AsyncIterator[str]:
    """A new empty database (`sqlite` or `postgres`), migrated; dropped (or deleted) afterwards."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="certs-bench-"))
        url = f"sqlite://{folder / 'bench.sqlite3'}"
        try:
            await apply_migrations(url)
            yield url
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    url = await create_migrated_postgres_database(admin_url, prefix="certs_bench")
    try:
        yield url
    finally:
        await drop_postgres_database(admin_url, url)


async def tokens_used_now() -> None:
    """Marks every token as used now, so that no request of the next minute writes its
    `last_used_at` (services.auth.note_use: at most once a minute per token).

    Without it, whichever server the benchmark loads first in a minute pays a write (and, on
    SQLite, a commit on the one connection every read waits behind) for each of the 1,000
    companies' tokens, and the other server none: the tracking query's GraphQL side, measured
    first in each round, carried all of them (its p99 and CPU per request), the plain side
    almost none. Called before each round, the writes fall on neither.
    """
    await ApiToken.all().update(last_used_at=datetime.now(UTC))


@asynccontextmanager
async def tortoise(url: str) -> AsyncIterator[None]:
    # Tortoise caches each model's INSERT statements per connection name, in the dialect of the
    # first database it met: one run that goes from SQLite to PostgreSQL must start afresh.
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()


def _spread(total: int, over: int) -> list[int]:
    base, extra = divmod(total, over)
    return [base + (1 if i < extra else 0) for i in range(over)]


class _Rows:
    """The rows to insert, with ids assigned here (the database is fresh)."""

    def __init__(self) -> None:
        self.companies: list[Company] = []
        self.users: list[User] = []
        self.tokens: list[ApiToken] = []
        self.requests: list[CertificateRequest] = []
        self.documents: list[RequestDocument] = []
        self.request_history: list[RequestStatusChange] = []
        self.certificates: list[Certificate] = []
        self.certificate_history: list[CertificateStatusChange] = []


class _Builder:
    def __init__(self, sizes: Sizes, now: datetime, seed: int) -> None:
        self.sizes = sizes
        self.now = now
        self.rnd = random.Random(seed)  # noqa: S311 - made-up rows, not secrets
        self.rows = _Rows()
        self.plain_tokens: list[str] = []
        self.reviewer_token = ""
        self.reviewer: User | None = None

    def _token(self, user: User) -> str:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.rows.tokens.append(
            ApiToken(
                id=len(self.rows.tokens) + 1,
                user_id=user.id,
                token_hash=hash_token(token),
                created_at=self.now,
                expires_at=self.now + timedelta(days=365),
            )
        )
        return token

    def build(self) -> None:
        sizes = self.sizes
        staff_id = sizes.companies + 1
        self.reviewer = User(
            id=staff_id,
            email="revisora@andes-scd.bench",
            name="Revisora Andes",
            role=Role.REVIEWER,
            company_id=None,
            is_active=True,
            created_at=self.now,
        )
        requests_per_company = _spread(sizes.requests, sizes.companies)
        certificates_per_company = _spread(sizes.certificates, sizes.companies)
        for index in range(sizes.companies):
            company = self._company(index)
            user = User(
                id=index + 1,
                email=f"usuario{index}@empresa{index}.bench",
                name=f"Usuario {index}",
                role=Role.CUSTOMER,
                company_id=company.id,
                is_active=True,
                created_at=self.now,
            )
            self.rows.users.append(user)
            self.plain_tokens.append(self._token(user))
            requests = max(requests_per_company[index], 1)
            self._history_of(
                company, user, requests, min(certificates_per_company[index], requests)
            )
        self.rows.users.append(self.reviewer)
        self.reviewer_token = self._token(self.reviewer)

    def _company(self, index: int) -> Company:
        base = str(900_000_000 + index * 7)
        company = Company(
            id=index + 1,
            nit_base=base,
            nit_check_digit=check_digit(base),
            legal_name=f"Empresa de Prueba {index} S.A.S.",
            person_type=PersonType.LEGAL_ENTITY if index % 5 else PersonType.NATURAL_PERSON,
            contact_name=f"Contacto Principal {index}",
            contact_email=f"contacto{index}@empresa{index}.bench",
            created_at=self.now,
            updated_at=self.now,
        )
        self.rows.companies.append(company)
        return company

    def _history_of(self, company: Company, user: User, requests: int, certificates: int) -> None:
        """`requests` requests, oldest first; the newest in review for about a third of them."""
        rnd = self.rnd
        statuses = [RequestStatus.REJECTED] * requests
        tail_in_review = rnd.random() < (0.3 if certificates else 0.5) and requests > certificates
        first_completed = requests - certificates - (1 if tail_in_review else 0)
        for position in range(first_completed, first_completed + certificates):
            statuses[position] = RequestStatus.COMPLETED
        if tail_in_review:
            statuses[-1] = RequestStatus.IN_REVIEW
        # Times, newest first.
        times: list[datetime] = []
        if tail_in_review:
            times.append(self.now - timedelta(hours=rnd.uniform(1, 70)))
        else:
            times.append(self.now - timedelta(days=rnd.uniform(1, 390)))
        for position in range(requests - 2, -1, -1):
            newer = times[-1]
            if statuses[position + 1] is RequestStatus.IN_REVIEW and certificates:
                # A renewal: the certificate it renews is in its last month.
                times.append(self.now - timedelta(days=rnd.uniform(336, 364)))
            elif statuses[position] is RequestStatus.COMPLETED and statuses[position + 1] is (
                RequestStatus.COMPLETED
            ):
                times.append(newer - timedelta(days=365 + rnd.uniform(-20, 0)))
            else:
                times.append(newer - timedelta(days=rnd.uniform(15, 60)))
        times.reverse()
        previous_certificate: Certificate | None = None
        for position, status in enumerate(statuses):
            kind = RequestKind.RENEWAL if previous_certificate else RequestKind.NEW
            request = self._request(company, user, status, kind, times[position])
            if kind is RequestKind.RENEWAL and previous_certificate is not None:
                request.renewal_of_id = previous_certificate.id
            if status is RequestStatus.COMPLETED:
                certificate = self._certificate(company, request)
                if previous_certificate is not None:
                    self._supersede(previous_certificate, certificate)
                previous_certificate = certificate
        if previous_certificate is not None and previous_certificate.valid_until <= self.now:
            self._set_status(previous_certificate, CertificateStatus.EXPIRED, None)
        elif previous_certificate is not None and self.rnd.random() < 0.1:
            self._set_status(previous_certificate, CertificateStatus.INACTIVE, None)

    def _request(
        self,
        company: Company,
        user: User,
        status: RequestStatus,
        kind: RequestKind,
        submitted_at: datetime,
    ) -> CertificateRequest:
        rnd = self.rnd
        attempt = 2 if status is not RequestStatus.IN_REVIEW and rnd.random() < 0.25 else 1
        decided_at = (
            None
            if status is RequestStatus.IN_REVIEW
            else min(submitted_at + timedelta(hours=rnd.uniform(2, 40)), self.now)
        )
        request = CertificateRequest(
            id=len(self.rows.requests) + 1,
            company_id=company.id,
            kind=kind,
            status=status,
            attempt=attempt,
            legal_representative_name=f"Representante {company.id}",
            legal_representative_id_type=IdentityDocumentType.CC,
            legal_representative_id_number=str(1_000_000_000 + company.id),
            validity_starts_on=local_date(submitted_at) + timedelta(days=1),
            renewal_of_id=None,
            submitted_at=submitted_at,
            decided_at=decided_at,
            observations="El RUT no está actualizado; adjunta el expedido este año."
            if status is RequestStatus.REJECTED
            else None,
            submitted_by_id=user.id,
            idempotency_key=f"bench-{len(self.rows.requests) + 1}",
            version=attempt * 2,
            created_at=submitted_at,
            updated_at=decided_at or submitted_at,
        )
        self.rows.requests.append(request)
        for kind_of_document in DOCUMENT_KINDS:
            is_rut = kind_of_document is DocumentKind.RUT
            self.rows.documents.append(
                RequestDocument(
                    id=len(self.rows.documents) + 1,
                    request_id=request.id,
                    kind=kind_of_document,
                    file_name=f"{kind_of_document.value.lower()}.pdf",
                    content_type="application/pdf",
                    size_bytes=rnd.randint(40_000, 900_000),
                    sha256=hashlib.sha256(f"{request.id}:{kind_of_document}".encode()).hexdigest(),
                    uploaded_at=submitted_at,
                    issued_on=local_date(submitted_at) - timedelta(days=10)
                    if kind_of_document is DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE
                    else None,
                    observation="Adjunta el RUT expedido este año."
                    if is_rut and status is RequestStatus.REJECTED
                    else None,
                    attempt=attempt,
                    superseded_at=None,
                )
            )
        customer = (user.id, user.name, Role.CUSTOMER)
        reviewer = self.reviewer
        assert reviewer is not None
        staff = (reviewer.id, reviewer.name, Role.REVIEWER)
        if attempt == 2:
            first = submitted_at - timedelta(days=3)
            self._request_change(request, None, RequestStatus.IN_REVIEW, first, customer, None)
            self._request_change(
                request,
                RequestStatus.IN_REVIEW,
                RequestStatus.REJECTED,
                first + timedelta(hours=20),
                staff,
                "Falta la firma del representante.",
            )
            self._request_change(
                request,
                RequestStatus.REJECTED,
                RequestStatus.IN_REVIEW,
                submitted_at,
                customer,
                None,
            )
        else:
            self._request_change(
                request, None, RequestStatus.IN_REVIEW, submitted_at, customer, None
            )
        if decided_at is not None:
            note = "Certificado emitido." if status is RequestStatus.COMPLETED else None
            self._request_change(request, RequestStatus.IN_REVIEW, status, decided_at, staff, note)
        return request

    def _request_change(
        self,
        request: CertificateRequest,
        from_status: RequestStatus | None,
        to_status: RequestStatus,
        at: datetime,
        actor: tuple[int, str, Role],
        note: str | None,
    ) -> None:
        self.rows.request_history.append(
            RequestStatusChange(
                id=len(self.rows.request_history) + 1,
                request_id=request.id,
                from_status=from_status,
                to_status=to_status,
                at=at,
                actor_id=actor[0],
                actor_name=actor[1],
                actor_role=actor[2],
                note=note,
            )
        )

    def _certificate(self, company: Company, request: CertificateRequest) -> Certificate:
        assert request.decided_at is not None
        valid_from = request.decided_at
        certificate = Certificate(
            id=len(self.rows.certificates) + 1,
            company_id=company.id,
            request_id=request.id,
            serial_number=f"SN-BENCH-{len(self.rows.certificates) + 1:07d}",
            issuer=ISSUER,
            status=CertificateStatus.ACTIVE,
            valid_from=valid_from,
            valid_until=valid_from + timedelta(days=365),
            replaced_by_id=None,
            version=1,
            created_at=valid_from,
            updated_at=valid_from,
        )
        self.rows.certificates.append(certificate)
        assert self.reviewer is not None
        self.rows.certificate_history.append(
            CertificateStatusChange(
                id=len(self.rows.certificate_history) + 1,
                certificate_id=certificate.id,
                from_status=None,
                to_status=CertificateStatus.ACTIVE,
                at=valid_from,
                actor_id=self.reviewer.id,
                actor_name=self.reviewer.name,
                actor_role=Role.REVIEWER,
                note=f"Emitido por {ISSUER}.",
            )
        )
        return certificate

    def _supersede(self, older: Certificate, newer: Certificate) -> None:
        older.replaced_by_id = newer.id
        status = (
            CertificateStatus.EXPIRED
            if older.valid_until <= newer.valid_from
            else CertificateStatus.INACTIVE
        )
        self._set_status(older, status, f"Reemplazado por el certificado {newer.serial_number}.")

    def _set_status(
        self, certificate: Certificate, status: CertificateStatus, note: str | None
    ) -> None:
        previous = certificate.status
        certificate.status = status
        certificate.version += 1
        self.rows.certificate_history.append(
            CertificateStatusChange(
                id=len(self.rows.certificate_history) + 1,
                certificate_id=certificate.id,
                from_status=previous,
                to_status=status,
                at=min(certificate.valid_until, self.now),
                actor_id=None,
                actor_name=None,
                actor_role=None,
                note=note,
            )
        )


async def load(url: str, sizes: Sizes, *, seed: int = 7) -> Dataset:
    """Insert the rows into the (migrated, empty) database at `url`; Tortoise must be initialised."""
    builder = _Builder(sizes, datetime.now(UTC), seed)
    builder.build()
    rows = builder.rows
    await Company.bulk_create(rows.companies, batch_size=BATCH)
    await User.bulk_create(rows.users, batch_size=BATCH)
    await ApiToken.bulk_create(rows.tokens, batch_size=BATCH)
    # Requests and certificates point at each other: requests first without `renewal_of`, then
    # certificates without `replaced_by`, then both links.
    renewal_links = {r.id: r.renewal_of_id for r in rows.requests if r.renewal_of_id}
    replaced_links = {c.id: c.replaced_by_id for c in rows.certificates if c.replaced_by_id}
    for request in rows.requests:
        request.renewal_of_id = None
    for certificate in rows.certificates:
        certificate.replaced_by_id = None
    await CertificateRequest.bulk_create(rows.requests, batch_size=BATCH)
    await RequestDocument.bulk_create(rows.documents, batch_size=BATCH)
    await RequestStatusChange.bulk_create(rows.request_history, batch_size=BATCH)
    await Certificate.bulk_create(rows.certificates, batch_size=BATCH)
    await CertificateStatusChange.bulk_create(rows.certificate_history, batch_size=BATCH)
    db = connections.get("default")
    for request_id, certificate_id in renewal_links.items():
        await CertificateRequest.filter(id=request_id).update(renewal_of_id=certificate_id)
    for certificate_id, newer_id in replaced_links.items():
        await Certificate.filter(id=certificate_id).update(replaced_by_id=newer_id)
    if url.startswith("postgres"):
        # Ids were given explicitly: move each sequence past them.
        for table in TABLES:
            await db.execute_script(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our tables
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
    await db.execute_script("ANALYZE")  # the planner's statistics, on both databases
    return Dataset(
        database_url=url,
        customer_tokens=builder.plain_tokens,
        reviewer_token=builder.reviewer_token,
        in_review_request_ids=[r.id for r in rows.requests if r.status is RequestStatus.IN_REVIEW],
        company_of_request={
            r.id: r.company_id for r in rows.requests if r.status is RequestStatus.IN_REVIEW
        },
        counts={
            "companies": len(rows.companies),
            "users": len(rows.users),
            "requests": len(rows.requests),
            "documents": len(rows.documents),
            "request history": len(rows.request_history),
            "certificates": len(rows.certificates),
            "certificate history": len(rows.certificate_history),
        },
    )
