"""Loading rows for update inside a use case's transaction, scoped to the caller.

Every use case locks in the same order, the company row first, then the request or certificate,
so concurrent decisions queue behind each other on PostgreSQL instead of deadlocking. SQLite
serialises whole write transactions, so the same code is safe on both. `save_versioned` is the
backstop where no lock is held: a write that lost a race gets CONFLICT, not a silent overwrite.
"""

from datetime import datetime

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


async def lock_request(principal: Principal, request_id: int) -> tuple[Company, CertificateRequest]:
    query = CertificateRequest.filter(id=request_id)
    if not principal.sees_every_company:
        query = query.filter(company_id=principal.company_id)
    company_id = await query.first().values_list("company_id", flat=True)
    if company_id is None:
        raise not_found("la solicitud")
    company = await lock_company(principal, int(company_id))  # type: ignore[call-overload]
    request = await CertificateRequest.filter(id=request_id).select_for_update().get()
    return company, request


async def lock_certificate(
    principal: Principal, certificate_id: int
) -> tuple[Company, Certificate]:
    query = Certificate.filter(id=certificate_id)
    if not principal.sees_every_company:
        query = query.filter(company_id=principal.company_id)
    company_id = await query.first().values_list("company_id", flat=True)
    if company_id is None:
        raise not_found("el certificado")
    company = await lock_company(principal, int(company_id))  # type: ignore[call-overload]
    certificate = await Certificate.filter(id=certificate_id).select_for_update().get()
    return company, certificate


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
