"""Who is calling, and which company a call acts on."""

import pytest

from domain.enums import ErrorCode, Role
from services.principal import (
    COMPANY_ROLES,
    Principal,
    require_principal,
    require_role,
    target_company_id,
)
from tests.support.refusals import assert_refusal, refusal

CUSTOMER = Principal(1, "Camila", "camila@ejemplo.co", Role.CUSTOMER, company_id=10)
ORPHAN = Principal(2, "Sin empresa", "x@ejemplo.co", Role.CUSTOMER, company_id=None)
REVIEWER = Principal(3, "Andrés", "andres@andes.co", Role.REVIEWER, company_id=None)
ADMIN = Principal(4, "Olga", "olga@andes.co", Role.ADMIN, company_id=None)


SIGN_IN = "Inicia sesión: envía un token válido en el encabezado Authorization."


def test_nobody_is_unauthenticated() -> None:
    assert_refusal(
        refusal(require_principal, None), code=ErrorCode.UNAUTHENTICATED, message=SIGN_IN
    )
    assert_refusal(
        refusal(require_role, None, COMPANY_ROLES, "hacer algo"),
        code=ErrorCode.UNAUTHENTICATED,
        message=SIGN_IN,
    )


def test_a_role_outside_the_allowed_ones_is_forbidden() -> None:
    assert require_role(CUSTOMER, COMPANY_ROLES, "x") is CUSTOMER
    assert require_role(ADMIN, COMPANY_ROLES, "x") is ADMIN
    assert_refusal(
        refusal(require_role, REVIEWER, COMPANY_ROLES, "cambiar el contacto"),
        code=ErrorCode.FORBIDDEN,
        message="Tu rol no permite cambiar el contacto.",
    )


def test_who_sees_which_company() -> None:
    assert CUSTOMER.may_see_company(10)
    assert not CUSTOMER.may_see_company(11)
    assert not ORPHAN.may_see_company(10)
    assert REVIEWER.may_see_company(11)
    assert ADMIN.may_see_company(11)


def test_a_customer_acts_on_their_own_company() -> None:
    assert target_company_id(CUSTOMER, None) == 10
    assert target_company_id(CUSTOMER, 10) == 10
    assert_refusal(
        refusal(target_company_id, CUSTOMER, 11),
        code=ErrorCode.NOT_FOUND,
        message="No encontramos la empresa.",
    )
    assert_refusal(
        refusal(target_company_id, ORPHAN, None),
        code=ErrorCode.FORBIDDEN,
        message="Tu usuario no pertenece a ninguna empresa.",
    )


@pytest.mark.parametrize("staff", [REVIEWER, ADMIN])
def test_staff_must_name_the_company(staff: Principal) -> None:
    assert target_company_id(staff, 11) == 11
    assert_refusal(
        refusal(target_company_id, staff, None),
        code=ErrorCode.INVALID_INPUT,
        field="companyId",
        message="Indica la empresa (companyId).",
    )
