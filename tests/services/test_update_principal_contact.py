"""The principal contact: who every email goes to."""

import pytest

from domain.enums import ErrorCode
from models import Company, EmailKind
from services.dependencies import Dependencies
from services.update_principal_contact import UpdateContactCommand, update_principal_contact
from tests.support.factories import Caller
from tests.support.use_cases import emails, refused, reject, submit


async def update(
    deps: Dependencies, caller: Caller | None, name: str, email: str, company_id: int | None = None
) -> Company:
    return await update_principal_contact(
        deps, caller.principal if caller else None, UpdateContactCommand(name, email, company_id)
    )


async def test_the_next_email_goes_to_the_new_contact(
    deps: Dependencies, customer: Caller, reviewer: Caller, company: Company
) -> None:
    request = await submit(deps, customer)

    updated = await update(deps, customer, "  Pedro Ruiz ", " pedro.ruiz@Ejemplo.CO ")

    assert (updated.contact_name, updated.contact_email) == ("Pedro Ruiz", "pedro.ruiz@ejemplo.co")
    stored = await Company.get(id=company.id)
    assert (stored.contact_name, stored.contact_email) == ("Pedro Ruiz", "pedro.ruiz@ejemplo.co")

    await reject(deps, reviewer, request)
    rejection = (await emails(kind=EmailKind.REQUEST_REJECTED))[0]
    assert (rejection.to_name, rejection.to_email) == ("Pedro Ruiz", "pedro.ruiz@ejemplo.co")
    assert "Pedro Ruiz" in rejection.body_text
    # The email queued before the change keeps the address it was written for.
    received = (await emails(kind=EmailKind.REQUEST_RECEIVED))[0]
    assert received.to_email == "contacto@ejemplo.co"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "El correo electrónico es obligatorio."),
        ("   ", "El correo electrónico es obligatorio."),
        (
            "pedro",
            "El correo electrónico «pedro» no es válido. Revisa que esté completo, por ejemplo nombre@empresa.com.co.",
        ),
        (
            "pedro@",
            "El correo electrónico «pedro@» no es válido. Revisa que esté completo, por ejemplo nombre@empresa.com.co.",
        ),
        (
            "pedro ruiz@ejemplo.co",
            "El correo electrónico «pedro ruiz@ejemplo.co» no es válido. Revisa que esté completo, por ejemplo nombre@empresa.com.co.",
        ),
    ],
)
async def test_a_bad_email_is_refused(
    deps: Dependencies, customer: Caller, company: Company, email: str, message: str
) -> None:
    await refused(
        update(deps, customer, "Pedro Ruiz", email),
        ErrorCode.INVALID_INPUT,
        "email",
        message=message,
    )
    assert (await Company.get(id=company.id)).contact_email == "contacto@ejemplo.co"


async def test_a_blank_name_is_refused(
    deps: Dependencies, customer: Caller, company: Company
) -> None:
    await refused(
        update(deps, customer, "  ", "pedro@ejemplo.co"),
        ErrorCode.INVALID_INPUT,
        "name",
        message="El nombre del contacto principal es obligatorio.",
    )
    assert (await Company.get(id=company.id)).contact_name == "María Peña"


async def test_a_customer_of_another_company_gets_not_found(
    deps: Dependencies, other_customer: Caller, company: Company
) -> None:
    await refused(
        update(deps, other_customer, "Intruso", "intruso@ejemplo.co", company.id),
        ErrorCode.NOT_FOUND,
        message="No encontramos la empresa.",
    )
    assert (await Company.get(id=company.id)).contact_email == "contacto@ejemplo.co"


async def test_reviewers_may_not_and_anonymous_callers_are_unauthenticated(
    deps: Dependencies, reviewer: Caller, company: Company
) -> None:
    await refused(
        update(deps, reviewer, "Pedro", "pedro@ejemplo.co", company.id),
        ErrorCode.FORBIDDEN,
        message="Tu rol no permite cambiar el contacto principal.",
    )
    await refused(
        update(deps, None, "Pedro", "pedro@ejemplo.co", company.id),
        ErrorCode.UNAUTHENTICATED,
        message="Inicia sesión: envía un token válido en el encabezado Authorization.",
    )


async def test_an_operator_names_the_company(
    deps: Dependencies, admin: Caller, company: Company
) -> None:
    await refused(
        update(deps, admin, "Pedro", "pedro@ejemplo.co"),
        ErrorCode.INVALID_INPUT,
        "companyId",
        message="Indica la empresa (companyId).",
    )
    await update(deps, admin, "Pedro", "pedro@ejemplo.co", company.id)
    assert (await Company.get(id=company.id)).contact_email == "pedro@ejemplo.co"
