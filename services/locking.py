"""Loading rows for update inside a use case's transaction, scoped to the caller.

Every use case locks in the same order, the company row first, then the request or certificate,
so concurrent decisions queue behind each other on PostgreSQL instead of deadlocking. SQLite
serialises whole write transactions, so the same code is safe on both. `save_versioned` is the
backstop where no lock is held: a write that lost a race gets CONFLICT, not a silent overwrite.
"""

from datetime import datetime
from typing import TypeVar

from domain.enums import ErrorCode
from domain.errors import DomainError
from models import Certificate, CertificateRequest, Company
from services.principal import Principal, not_found


async def lock_company(principal: Principal, company_id: int) -> Company:
    if not principal.may_see_company(company_id):
        raise not_found("la empresa")
    company = await Company.filter(id=company_id).select_for_update().first()
    if company is None:
        raise not_found("la empresa")
    return company


OwnedRow = TypeVar("OwnedRow", CertificateRequest, Certificate)


async def _lock_owned(
    principal: Principal, model: type[OwnedRow], pk: int, what: str
) -> tuple[Company, OwnedRow]:
    """Lock the owning company, then the row; a row the caller may not see is NOT_FOUND."""
    query = model.filter(id=pk)
    if not principal.sees_every_company:
        query = query.filter(company_id=principal.company_id)
    owner = await query.only("id", "company_id").first()
    if owner is None:
        raise not_found(what)
    company = await lock_company(principal, owner.company_id)
    return company, await model.filter(id=pk).select_for_update().get()


async def lock_request(principal: Principal, request_id: int) -> tuple[Company, CertificateRequest]:
    return await _lock_owned(principal, CertificateRequest, request_id, "la solicitud")


async def lock_certificate(
    principal: Principal, certificate_id: int
) -> tuple[Company, Certificate]:
    return await _lock_owned(principal, Certificate, certificate_id, "el certificado")


async def save_versioned(
    row: CertificateRequest | Certificate, now: datetime, *fields: str
) -> None:
    """Write `fields` only if nobody changed the row since it was read; else CONFLICT."""
    model = type(row)
    values = {name: getattr(row, name) for name in fields}
    updated = await model.filter(id=row.id, version=row.version).update(
        **values, version=row.version + 1, updated_at=now
    )
    if updated != 1:
        raise DomainError(
            ErrorCode.CONFLICT,
            "Alguien más modificó este registro al mismo tiempo. Recarga y vuelve a intentarlo.",
        )
    row.version += 1
    row.updated_at = now
