"""The companies' part of the root types: the tracking screen and the principal contact."""

import strawberry

from resolvers.companies import queries, update_principal_contact
from resolvers.context import AppInfo
from schema.companies.inputs import UpdatePrincipalContactInput
from schema.companies.payloads import UpdatePrincipalContactPayload
from schema.companies.types import CertificateTracking, Company
from schema.core.guard import or_public_error, payload_or_errors


async def resolve_certificate_tracking(
    info: AppInfo, company_id: strawberry.ID | None = None
) -> CertificateTracking:
    tracking = await or_public_error(queries.certificate_tracking(info, company_id))
    return CertificateTracking.from_data(tracking)


async def resolve_update_principal_contact(
    info: AppInfo, input: UpdatePrincipalContactInput
) -> UpdatePrincipalContactPayload:
    """The company's principal contact: who receives every email."""

    async def run() -> UpdatePrincipalContactPayload:
        row = await update_principal_contact.resolve(
            info, name=input.name, email=input.email, company_id=input.company_id
        )
        return UpdatePrincipalContactPayload(company=Company.from_row(row))

    return await payload_or_errors(info, run, UpdatePrincipalContactPayload)


certificate_tracking = strawberry.field(
    resolver=resolve_certificate_tracking,
    description="The tracking screen. companyId: reviewers and operators.",
)
update_contact = strawberry.mutation(resolver=resolve_update_principal_contact)
