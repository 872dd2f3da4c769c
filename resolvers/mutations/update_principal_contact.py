from resolvers.guard import payload_or_errors
from schema.companies import Company
from schema.context import AppInfo
from schema.inputs import UpdatePrincipalContactInput
from schema.node import decode_optional_id
from schema.payloads import UpdatePrincipalContactPayload
from services.update_principal_contact import UpdateContactCommand, update_principal_contact


async def resolve(
    info: AppInfo, input: UpdatePrincipalContactInput
) -> UpdatePrincipalContactPayload:
    """The company's principal contact: who receives every email."""

    async def run() -> UpdatePrincipalContactPayload:
        company = await update_principal_contact(
            info.context.deps,
            info.context.principal,
            UpdateContactCommand(
                name=input.name,
                email=input.email,
                company_id=decode_optional_id(
                    input.company_id, "Company", field="companyId", what="la empresa"
                ),
            ),
        )
        return UpdatePrincipalContactPayload(company=Company.from_row(company))

    return await payload_or_errors(info, run, UpdatePrincipalContactPayload)
