from models import Company
from resolvers.context import AppInfo
from resolvers.ids import decode_optional_id
from services.update_principal_contact import UpdateContactCommand, update_principal_contact


async def resolve(info: AppInfo, *, name: str, email: str, company_id: str | None) -> Company:
    """The company's principal contact: who receives every email."""
    return await update_principal_contact(
        info.context.deps,
        info.context.principal,
        UpdateContactCommand(
            name=name,
            email=email,
            company_id=decode_optional_id(
                company_id, "Company", field="companyId", what="la empresa"
            ),
        ),
    )
