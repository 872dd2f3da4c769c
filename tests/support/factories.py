"""Rows for tests, made through the same operator use cases as the CLI."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.enums import PersonType, Role
from domain.nit import check_digit
from models import Company, User
from services.auth import authenticate, issue_token
from services.operators import create_company, create_user
from services.principal import Principal

_counter = {"n": 0}


def next_nit() -> str:
    _counter["n"] += 1
    base = str(900_000_000 + _counter["n"])
    return f"{base}-{check_digit(base)}"


async def make_company(
    person_type: PersonType = PersonType.LEGAL_ENTITY,
    name: str = "Facturación Ejemplo S.A.S.",
    contact_email: str = "contacto@ejemplo.co",
) -> Company:
    return await create_company(
        nit=next_nit(),
        legal_name=name,
        person_type=person_type,
        contact_name="María Peña",
        contact_email=contact_email,
    )


@dataclass
class Caller:
    user: User
    token: str
    principal: Principal

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_caller(role: Role, company: Company | None = None, name: str = "") -> Caller:
    _counter["n"] += 1
    user = await create_user(
        email=f"{role.value.lower()}{_counter['n']}@ejemplo.co",
        name=name or f"{role.value.title()} {_counter['n']}",
        role=role,
        company=company if role is Role.CUSTOMER else None,
    )
    now = datetime.now().astimezone()
    token = await issue_token(user.email, now=now, expires_in_days=None)
    principal = await authenticate(token, now=now + timedelta(seconds=1))
    assert principal is not None
    return Caller(user=user, token=token, principal=principal)
