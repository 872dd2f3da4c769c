"""`certs demo`: a company with its principal contact, a customer, a reviewer and an operator."""

from dataclasses import dataclass

from domain.clock import Clock
from domain.enums import PersonType, Role
from models import Company, User
from services.auth import issue_token
from services.operators import create_company, create_user

DEMO_NIT = "900123456-8"
DEMO_USERS = {
    "customer": ("cliente@demo.example.co", "Camila Rojas", Role.CUSTOMER),
    "reviewer": ("revisor@andes.example.co", "Andrés Gómez", Role.REVIEWER),
    "admin": ("operador@demo.example.co", "Olga Martínez", Role.ADMIN),
}


@dataclass(frozen=True)
class Demo:
    company: Company
    tokens: dict[str, str]


async def seed_demo(clock: Clock) -> Demo:
    """Creates what is absent and issues a fresh token for each demo user (tokens are shown once)."""
    company = await Company.get_or_none(nit_base=DEMO_NIT.split("-")[0])
    if company is None:
        company = await create_company(
            nit=DEMO_NIT,
            legal_name="Facturación Demo S.A.S.",
            person_type=PersonType.LEGAL_ENTITY,
            contact_name="María Peña",
            contact_email="contacto@demo.example.co",
        )
    tokens: dict[str, str] = {}
    for key, (email, name, role) in DEMO_USERS.items():
        if not await User.exists(email=email):
            await create_user(
                email=email,
                name=name,
                role=role,
                company=company if role is Role.CUSTOMER else None,
            )
        tokens[key] = await issue_token(email, now=clock.now(), expires_in_days=None)
    return Demo(company=company, tokens=tokens)
