"""Who is calling, and which company a call acts on."""

import pytest

from domain.enums import ErrorCode, Role
from domain.errors import DomainError
from services.principal import (
    COMPANY_ROLES,
    Principal,
    require_principal,
    require_role,
    target_company_id,
)

CUSTOMER = Principal(1, "Camila", "camila@ejemplo.co", Role.CUSTOMER, company_id=10)
ORPHAN = Principal(2, "Sin empresa", "x@ejemplo.co", Role.CUSTOMER, company_id=None)
REVIEWER = Principal(3, "Andrés", "andres@andes.co", Role.REVIEWER, company_id=None)
ADMIN = Principal(4, "Olga", "olga@andes.co", Role.ADMIN, company_id=None)


def code_of(error: pytest.ExceptionInfo[DomainError]) -> ErrorCode:
    return error.value.code


def test_nobody_is_unauthenticated() -> None:
    with pytest.raises(DomainError) as refused:
        require_principal(None)
    assert code_of(refused) == ErrorCode.UNAUTHENTICATED
    with pytest.raises(DomainError) as refused:
        require_role(None, COMPANY_ROLES, "hacer algo")
    assert code_of(refused) == ErrorCode.UNAUTHENTICATED


def test_a_role_outside_the_allowed_ones_is_forbidden() -> None:
    assert require_role(CUSTOMER, COMPANY_ROLES, "x") is CUSTOMER
    assert require_role(ADMIN, COMPANY_ROLES, "x") is ADMIN
    with pytest.raises(DomainError) as refused:
        require_role(REVIEWER, COMPANY_ROLES, "cambiar el contacto")
    assert code_of(refused) == ErrorCode.FORBIDDEN
    assert "cambiar el contacto" in refused.value.message


def test_who_sees_which_company() -> None:
    assert CUSTOMER.may_see_company(10)
    assert not CUSTOMER.may_see_company(11)
    assert not ORPHAN.may_see_company(10)
    assert REVIEWER.may_see_company(11)
    assert ADMIN.may_see_company(11)


def test_a_customer_acts_on_their_own_company() -> None:
    assert target_company_id(CUSTOMER, None) == 10
    assert target_company_id(CUSTOMER, 10) == 10
    with pytest.raises(DomainError) as refused:
        target_company_id(CUSTOMER, 11)
    assert code_of(refused) == ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as refused:
        target_company_id(ORPHAN, None)
    assert code_of(refused) == ErrorCode.FORBIDDEN


@pytest.mark.parametrize("staff", [REVIEWER, ADMIN])
def test_staff_must_name_the_company(staff: Principal) -> None:
    assert target_company_id(staff, 11) == 11
    with pytest.raises(DomainError) as refused:
        target_company_id(staff, None)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "companyId")
