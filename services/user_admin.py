"""Operator use cases on a user's standing, run from the `certs` CLI: deactivating and
reactivating a user, and moving a user to another company.

Each is one transaction that locks the user, writes the change and its audit row, and announces
it on the event outbox (a PRINCIPAL row, as `certs token revoke` does): every serving process
then checks that user's open sockets before delivering anything read after it, so a deactivated
or moved user's sockets close with 4403 and receive nothing committed after the change
(`server.live_sessions`). Asking for the standing a user already has changes, records and
announces nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.enums import ErrorCode
from domain.errors import DomainError
from models import Company, User
from services.audit import record_audit
from services.live_events import announce_principal_change
from services.operators import require_fitting_company


@dataclass(frozen=True)
class UserChange:
    """The user as the use case left it, and whether it changed anything."""

    user: User
    changed: bool


async def _locked_user(email: str) -> User:
    """The user with this email, locked until the transaction ends; NOT_FOUND when none."""
    user = await User.filter(email=email.strip().lower()).select_for_update().first()
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"No existe un usuario con el correo {email}.")
    return user


async def _set_active(email: str, *, active: bool, now: datetime) -> UserChange:
    async with in_transaction():
        user = await _locked_user(email)
        if user.is_active is active:
            return UserChange(user, changed=False)
        user.is_active = active
        await user.save(update_fields=["is_active"])
        await record_audit(
            AuditAction.USER_ACTIVATED if active else AuditAction.USER_DEACTIVATED,
            actor=None,
            at=now,
            target_type="User",
            target_id=user.id,
            company_id=user.company_id,
            details={"email": user.email},
        )
        await announce_principal_change(user.id)  # their open sockets close, on every process
    return UserChange(user, changed=True)


async def deactivate_user(email: str, *, now: datetime) -> UserChange:
    """The user may no longer sign in: every token of theirs authenticates to nothing (they are
    kept, not revoked) and their open sockets are closed, on every process."""
    return await _set_active(email, active=False, now=now)


async def activate_user(email: str, *, now: datetime) -> UserChange:
    """The user may sign in again, with the tokens of theirs that are neither revoked nor
    expired."""
    return await _set_active(email, active=True, now=now)


async def move_user(email: str, company: Company | None, *, now: datetime) -> UserChange:
    """The user now belongs to `company` (None: to none). A CUSTOMER needs a company, a REVIEWER
    or an ADMIN belongs to none (INVALID_INPUT). Their open sockets, opened as members of the
    previous company, are closed on every process; new ones see the new company only."""
    async with in_transaction():
        user = await _locked_user(email)
        require_fitting_company(user.role, company)
        target = company.id if company is not None else None
        if user.company_id == target:
            return UserChange(user, changed=False)
        previous_id = user.company_id
        previous = await Company.get_or_none(id=previous_id) if previous_id is not None else None
        user.company_id = target
        await user.save(update_fields=["company_id"])
        await record_audit(
            AuditAction.USER_MOVED,
            actor=None,
            at=now,
            target_type="User",
            target_id=user.id,
            company_id=target if target is not None else previous_id,  # where they went
            details={
                "email": user.email,
                "from": previous.nit if previous is not None else None,
                "to": company.nit if company is not None else None,
            },
        )
        await announce_principal_change(user.id)  # their open sockets close, on every process
    return UserChange(user, changed=True)
