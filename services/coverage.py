"""Reads for planning around certificates: can a company sign on a date, and which certificates
expire in a period (operators' support campaigns)."""

from dataclasses import dataclass
from datetime import date, datetime

from tortoise.expressions import Q

from domain.certificate_lifecycle import CertificateSnapshot
from domain.coverage import Coverage, coverage_on, day_bounds
from domain.enums import CertificateStatus, ErrorCode, Role
from domain.errors import DomainError
from models import Certificate, Company
from services.cursors import decode_keyset, encode_keyset
from services.principal import Principal, not_found, require_principal, target_company_id

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class CompanyCoverage:
    coverage: Coverage
    certificate: Certificate | None


async def certificate_coverage(
    principal: Principal | None, company_id: int | None, on: date, now: datetime
) -> CompanyCoverage:
    """Whether the company (a company user's own; any, for reviewers and operators) can sign
    on `on`, with the certificate that decides it; statuses as the clock makes them at `now`."""
    caller = require_principal(principal)
    scoped = target_company_id(caller, company_id)
    if not await Company.exists(id=scoped):
        raise not_found("la empresa")
    rows = await Certificate.filter(company_id=scoped)
    snapshots = [
        CertificateSnapshot(
            id=r.id,
            status=r.status,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            superseded_at=r.superseded_at,
        )
        for r in rows
    ]
    coverage = coverage_on(snapshots, on, now)
    chosen = None
    if coverage.certificate is not None:
        chosen = next(r for r in rows if r.id == coverage.certificate.id)
    return CompanyCoverage(coverage=coverage, certificate=chosen)


@dataclass(frozen=True)
class CertificatePage:
    items: list[Certificate]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int


def _encode(certificate: Certificate) -> str:
    return encode_keyset(certificate.valid_until, certificate.id)


async def certificates_expiring_between(
    principal: Principal | None,
    *,
    start: date,
    end: date,
    first: int | None,
    after: str | None,
) -> CertificatePage:
    """Certificates whose validity ends on a day from `start` to `end` (Bogotá, both included),
    soonest first; revoked ones and ones already renewed are left out. Operators only."""
    caller = require_principal(principal)
    if caller.role is not Role.ADMIN:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "Solo un operador (ADMIN) puede consultar los certificados por vencer.",
        )
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"`first` debe estar entre 0 y {MAX_PAGE_SIZE}.", field="first"
        )
    if end < start:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "La fecha final no puede ser anterior a la fecha inicial.",
            field="to",
        )
    since, _ = day_bounds(start)
    _, until = day_bounds(end)
    query = Certificate.filter(
        valid_until__gte=since, valid_until__lt=until, replaced_by_id__isnull=True
    ).exclude(status=CertificateStatus.REVOKED)
    total = await query.count()
    if after is not None:
        stamp, pk = decode_keyset(after)
        query = query.filter(Q(valid_until__gt=stamp) | Q(valid_until=stamp, id__gt=pk))
    rows = await query.order_by("valid_until", "id").limit(size + 1)
    items = rows[:size]
    return CertificatePage(
        items=items,
        cursors=[_encode(row) for row in items],
        has_next_page=len(rows) > size,
        has_previous_page=after is not None,
        total_count=total,
    )
