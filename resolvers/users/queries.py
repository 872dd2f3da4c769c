from models import Company, User
from resolvers.context import AppInfo
from services import reads


async def viewer(info: AppInfo) -> tuple[User, Company | None]:
    """The caller and the company they belong to (none for staff)."""
    user = await reads.get_user(info.context.principal)
    company = await info.context.loaders.company.load(user.company_id) if user.company_id else None
    return user, company
