"""Who is calling: passed explicitly to every service so that no read escapes its scope."""

from dataclasses import dataclass

from domain.enums import ErrorCode, Role
from domain.errors import DomainError

#: Who may act for a company: its own users, and operators on its behalf.
COMPANY_ROLES = frozenset({Role.CUSTOMER, Role.ADMIN})


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    email: str
    role: Role
    company_id: int | None

    @property
    def sees_every_company(self) -> bool:
        return self.role in (Role.REVIEWER, Role.ADMIN)

    def may_see_company(self, company_id: int) -> bool:
        return self.sees_every_company or self.company_id == company_id

    @property
    def visibility(self) -> tuple[Role, int | None]:
        """What decides what this caller may see: its role and its company, not who it is. Two
        callers with the same visibility get the same answer to the same question (no read or
        field depends on the user's id, name or email)."""
        return (self.role, self.company_id)


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED,
            "Inicia sesión: envía un token válido en el encabezado Authorization.",
        )
    return principal


def require_role(principal: Principal | None, roles: frozenset[Role], action: str) -> Principal:
    """The caller must be authenticated and hold one of `roles`; `action` completes the message."""
    caller = require_principal(principal)
    if caller.role not in roles:
        raise DomainError(ErrorCode.FORBIDDEN, f"Tu rol no permite {action}.")
    return caller


def target_company_id(principal: Principal, company_id: int | None) -> int:
    """The company a call acts on: a company user's own, or the one an operator or reviewer names.

    A company user naming another company gets NOT_FOUND, exactly as for a company that does not exist.
    """
    if principal.role is Role.CUSTOMER:
        if principal.company_id is None:
            raise DomainError(ErrorCode.FORBIDDEN, "Tu usuario no pertenece a ninguna empresa.")
        if company_id is not None and company_id != principal.company_id:
            raise not_found("la empresa")
        return principal.company_id
    if company_id is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT, "Indica la empresa (companyId).", field="companyId"
        )
    return company_id


def not_found(what: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"No encontramos {what}.")
