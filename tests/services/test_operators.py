"""Operator use cases: creating companies and users, finding a company."""

import pytest

from domain.enums import ErrorCode, PersonType, Role
from domain.errors import DomainError
from domain.nit import check_digit
from models import Company, User
from services.operators import create_company, create_user, find_company
from tests.support.refusals import assert_refusal

BASE = "900123456"
NIT = f"{BASE}-{check_digit(BASE)}"
DOTTED_NIT = f"900.123.456-{check_digit(BASE)}"


async def new_company(**overrides: str | PersonType) -> Company:
    values: dict[str, str | PersonType] = {
        "nit": NIT,
        "legal_name": "  Facturas del Valle S.A.S. ",
        "person_type": PersonType.LEGAL_ENTITY,
        "contact_name": " Ana Ruiz ",
        "contact_email": "ana@Valle.CO",
        **overrides,
    }
    return await create_company(**values)  # type: ignore[arg-type]


async def test_a_company_is_created_with_its_verified_nit(db: str) -> None:
    company = await new_company(nit=f" {DOTTED_NIT} ")

    stored = await Company.get(id=company.id)
    assert (stored.nit_base, stored.nit_check_digit, stored.nit) == (
        BASE,
        check_digit(BASE),
        NIT,
    )
    assert (stored.legal_name, stored.contact_name, stored.contact_email) == (
        "Facturas del Valle S.A.S.",
        "Ana Ruiz",
        "ana@valle.co",
    )
    assert stored.person_type is PersonType.LEGAL_ENTITY


async def test_a_nit_registered_twice_is_a_conflict_however_it_is_written(db: str) -> None:
    await new_company()
    with pytest.raises(DomainError) as conflict:
        await new_company(nit=DOTTED_NIT, legal_name="Otra")
    assert_refusal(
        conflict.value,
        code=ErrorCode.CONFLICT,
        field="nit",
        message=f"Ya existe una empresa con el NIT {NIT}.",
    )
    assert await Company.all().count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"nit": f"{BASE}-{(check_digit(BASE) + 1) % 10}"},
            "nit",
            "El dígito de verificación 9 no corresponde al NIT 900123456. "
            "Revisa el número y el dígito de verificación en el RUT.",
        ),
        (
            {"nit": BASE},
            "nit",
            "Falta el dígito de verificación del NIT. Escríbelo después de un guion, "
            "por ejemplo 900123456-8.",
        ),
        (
            {"nit": ""},
            "nit",
            "Escribe el NIT con su dígito de verificación, por ejemplo 900123456-8.",
        ),
        ({"legal_name": "  "}, "name", "La razón social es obligatoria."),
        ({"contact_name": ""}, "contactName", "El nombre del contacto es obligatorio."),
        (
            {"contact_email": "ana@"},
            "contactEmail",
            "El correo electrónico «ana@» no es válido. Revisa que esté completo, "
            "por ejemplo nombre@empresa.com.co.",
        ),
    ],
)
async def test_bad_company_data_is_refused(
    db: str, overrides: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(DomainError) as invalid:
        await new_company(**overrides)
    assert_refusal(invalid.value, code=ErrorCode.INVALID_INPUT, field=field, message=message)
    assert await Company.all().count() == 0


async def test_a_company_is_found_by_nit_or_id(db: str) -> None:
    company = await new_company()
    by_nit = await find_company(DOTTED_NIT)
    by_id = await find_company(str(company.id))
    assert by_nit is not None
    assert by_id is not None
    assert by_nit.id == by_id.id == company.id
    assert await find_company("999999") is None
    assert await find_company(f"800123456-{check_digit('800123456')}") is None


async def test_users_are_created_with_their_email_lowercased(db: str) -> None:
    company = await new_company()
    customer = await create_user(
        email=" Ana.Ruiz@Valle.CO ", name=" Ana ", role=Role.CUSTOMER, company=company
    )
    reviewer = await create_user(
        email="revisor@andes.co", name="Revisor", role=Role.REVIEWER, company=None
    )
    assert (customer.email, customer.name, customer.company_id) == (
        "ana.ruiz@valle.co",
        "Ana",
        company.id,
    )
    assert (reviewer.role, reviewer.company_id, reviewer.is_active) == (
        Role.REVIEWER,
        None,
        True,
    )


async def test_a_customer_needs_a_company_and_staff_have_none(db: str) -> None:
    company = await new_company()
    with pytest.raises(DomainError) as without:
        await create_user(email="a@valle.co", name="A", role=Role.CUSTOMER, company=None)
    assert_refusal(
        without.value,
        code=ErrorCode.INVALID_INPUT,
        field="company",
        message="Un usuario CUSTOMER necesita una empresa.",
    )
    for role in (Role.REVIEWER, Role.ADMIN):
        with pytest.raises(DomainError) as staff:
            await create_user(email="b@andes.co", name="B", role=role, company=company)
        assert_refusal(
            staff.value,
            code=ErrorCode.INVALID_INPUT,
            field="company",
            message=f"Un usuario {role} no pertenece a ninguna empresa.",
        )
    assert await User.all().count() == 0


async def test_an_email_registered_twice_is_a_conflict(db: str) -> None:
    await create_user(email="revisor@andes.co", name="R", role=Role.REVIEWER, company=None)
    with pytest.raises(DomainError) as conflict:
        await create_user(email="REVISOR@andes.co", name="R2", role=Role.ADMIN, company=None)
    assert_refusal(
        conflict.value,
        code=ErrorCode.CONFLICT,
        message="Ya existe un usuario con el correo revisor@andes.co.",
    )
    assert await User.all().count() == 1
