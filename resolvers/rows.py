"""Rows by id through the operation's loaders, for the nested fields of every domain (a
certificate's company, a change's request, ...): batched, so a list never costs N+1."""

from models import Certificate, CertificateRequest, Company
from resolvers.context import AppInfo


async def company(info: AppInfo, company_id: int) -> Company:
    row = await info.context.loaders.company.load(company_id)
    if row is None:
        raise LookupError(f"company {company_id} vanished")
    return row


async def optional_company(info: AppInfo, company_id: int | None) -> Company | None:
    return None if company_id is None else await info.context.loaders.company.load(company_id)


async def request(info: AppInfo, request_id: int) -> CertificateRequest:
    row = await info.context.loaders.request.load(request_id)
    if row is None:
        raise LookupError(f"request {request_id} vanished")
    return row


async def certificate(info: AppInfo, certificate_id: int) -> Certificate:
    row = await info.context.loaders.certificate.load(certificate_id)
    if row is None:
        raise LookupError(f"certificate {certificate_id} vanished")
    return row


async def optional_certificate(info: AppInfo, certificate_id: int | None) -> Certificate | None:
    if certificate_id is None:
        return None
    return await info.context.loaders.certificate.load(certificate_id)
