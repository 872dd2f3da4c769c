"""Operator use cases run from the `certs` CLI: creating companies and users."""

from domain.enums import ErrorCode, PersonType, Role
from domain.errors import DomainError
from domain.nit import parse_nit
from domain.validation import normalize_email, require_text
from models import Company, User


async def create_company(
    *, nit: str, legal_name: str, person_type: PersonType, contact_name: str, contact_email: str
) -> Company:
    parsed = parse_nit(nit)
    name = require_text(legal_name, field="name", label="La razón social")
    contact = require_text(contact_name, field="contactName", label="El nombre del contacto")
    email = normalize_email(contact_email, field="contactEmail")
    if await Company.exists(nit_base=parsed.base):
        raise DomainError(
            ErrorCode.CONFLICT, f"Ya existe una empresa con el NIT {parsed.formatted}.", "nit"
        )
    return await Company.create(
        nit_base=parsed.base,
        nit_check_digit=parsed.check_digit,
        legal_name=name,
        person_type=person_type,
        contact_name=contact,
        contact_email=email,
    )


async def find_company(reference: str) -> Company | None:
    """A company by its NIT (with check digit) or by its database id."""
    if reference.isdigit():
        return await Company.get_or_none(id=int(reference))
    return await Company.get_or_none(nit_base=parse_nit(reference).base)


def require_fitting_company(role: Role, company: Company | None) -> None:
    """A CUSTOMER belongs to exactly one company; a REVIEWER or an ADMIN to none."""
    if role is Role.CUSTOMER and company is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "Un usuario CUSTOMER necesita una empresa.", "company"
        )
    if role is not Role.CUSTOMER and company is not None:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"Un usuario {role} no pertenece a ninguna empresa.", "company"
        )


async def create_user(*, email: str, name: str, role: Role, company: Company | None) -> User:
    address = normalize_email(email).lower()
    display_name = require_text(name, field="name", label="El nombre")
    require_fitting_company(role, company)
    if await User.exists(email=address):
        raise DomainError(ErrorCode.CONFLICT, f"Ya existe un usuario con el correo {address}.")
    return await User.create(
        email=address, name=display_name, role=role, company_id=company.id if company else None
    )
