"""Deactivating, reactivating and moving a user (`certs user …`): what their tokens stand for
afterwards, the audit trail, and the PRINCIPAL announcement that closes their open sockets."""

import json
from collections.abc import Awaitable

import pytest

from domain.audit import AuditAction
from domain.clock import FixedClock
from domain.enums import ErrorCode, Role
from domain.errors import DomainError
from models import AuditEvent, Company, LiveEvent, LiveEventKind, User
from services.auth import authenticate
from services.user_admin import activate_user, deactivate_user, move_user
from tests.support.factories import Caller
from tests.support.refusals import assert_refusal


async def announced() -> list[int]:
    """The users announced on the event outbox (PRINCIPAL rows), in order."""
    rows = await LiveEvent.filter(kind=LiveEventKind.PRINCIPAL).order_by("id")
    return [row.subject_id for row in rows]


async def trail(*actions: AuditAction) -> list[AuditEvent]:
    return await AuditEvent.filter(action__in=[a.value for a in actions]).order_by("id")


async def nothing_written(
    call: Awaitable[object], *, code: ErrorCode, message: str, field: str | None
) -> None:
    """Awaits a refused call: the refusal is exactly this, and no user, audit or outbox row
    changed."""
    before = (
        await User.all().order_by("id").values_list("id", "is_active", "company_id"),
        await AuditEvent.all().count(),
        await LiveEvent.all().count(),
    )
    with pytest.raises(DomainError) as refused:
        await call
    assert_refusal(refused.value, code=code, message=message, field=field)
    after = (
        await User.all().order_by("id").values_list("id", "is_active", "company_id"),
        await AuditEvent.all().count(),
        await LiveEvent.all().count(),
    )
    assert after == before


async def test_a_deactivated_users_tokens_stand_for_nobody_and_their_sockets_are_announced(
    customer: Caller, clock: FixedClock
) -> None:
    changed = await deactivate_user(customer.user.email.upper(), now=clock.now())

    assert changed.changed
    assert (changed.user.id, changed.user.is_active) == (customer.user.id, False)
    assert await authenticate(customer.token, now=clock.now()) is None
    assert await announced() == [customer.user.id]
    [event] = await trail(AuditAction.USER_DEACTIVATED)
    assert (event.target_type, event.target_id, event.company_id) == (
        "User",
        customer.user.id,
        customer.user.company_id,
    )
    assert (event.actor_role, event.source, event.at) == ("CLI", "cli", clock.now())
    assert json.loads(event.details) == {"email": customer.user.email}


async def test_deactivating_an_inactive_user_changes_records_and_announces_nothing(
    customer: Caller, clock: FixedClock
) -> None:
    await deactivate_user(customer.user.email, now=clock.now())
    again = await deactivate_user(customer.user.email, now=clock.now())

    assert not again.changed
    assert again.user.is_active is False
    assert await announced() == [customer.user.id]  # the first one only
    assert len(await trail(AuditAction.USER_DEACTIVATED)) == 1


async def test_an_activated_user_signs_in_again_with_the_tokens_they_had(
    customer: Caller, clock: FixedClock
) -> None:
    await deactivate_user(customer.user.email, now=clock.now())
    changed = await activate_user(customer.user.email, now=clock.now())

    assert changed.changed
    assert changed.user.is_active is True
    principal = await authenticate(customer.token, now=clock.now())
    assert principal is not None
    assert (principal.user_id, principal.company_id) == (
        customer.user.id,
        customer.user.company_id,
    )
    assert [
        e.action for e in await trail(AuditAction.USER_DEACTIVATED, AuditAction.USER_ACTIVATED)
    ] == [
        AuditAction.USER_DEACTIVATED,
        AuditAction.USER_ACTIVATED,
    ]
    assert await announced() == [customer.user.id, customer.user.id]
    # Activating an active user: nothing.
    assert not (await activate_user(customer.user.email, now=clock.now())).changed
    assert len(await announced()) == 2


async def test_a_moved_customer_stands_for_the_new_company_only(
    customer: Caller, company: Company, other_company: Company, clock: FixedClock
) -> None:
    changed = await move_user(customer.user.email, other_company, now=clock.now())

    assert changed.changed
    assert changed.user.company_id == other_company.id
    principal = await authenticate(customer.token, now=clock.now())
    assert principal is not None
    assert principal.company_id == other_company.id
    assert await announced() == [customer.user.id]
    [event] = await trail(AuditAction.USER_MOVED)
    assert (event.target_id, event.company_id) == (customer.user.id, other_company.id)
    assert json.loads(event.details) == {
        "email": customer.user.email,
        "from": company.nit,
        "to": other_company.nit,
    }
    # Moving them where they already are: nothing.
    again = await move_user(customer.user.email, other_company, now=clock.now())
    assert not again.changed
    assert len(await announced()) == 1
    assert len(await trail(AuditAction.USER_MOVED)) == 1


async def test_a_customer_cannot_be_moved_out_of_every_company(
    customer: Caller, clock: FixedClock
) -> None:
    await nothing_written(
        move_user(customer.user.email, None, now=clock.now()),
        code=ErrorCode.INVALID_INPUT,
        message="Un usuario CUSTOMER necesita una empresa.",
        field="company",
    )
    principal = await authenticate(customer.token, now=clock.now())
    assert principal is not None
    assert principal.company_id == customer.user.company_id


async def test_a_reviewer_cannot_be_moved_into_a_company(
    reviewer: Caller, company: Company, clock: FixedClock
) -> None:
    await nothing_written(
        move_user(reviewer.user.email, company, now=clock.now()),
        code=ErrorCode.INVALID_INPUT,
        message="Un usuario REVIEWER no pertenece a ninguna empresa.",
        field="company",
    )
    # Out of any company is where a reviewer already is: nothing to do.
    assert not (await move_user(reviewer.user.email, None, now=clock.now())).changed
    assert (await User.get(id=reviewer.user.id)).role is Role.REVIEWER


@pytest.mark.parametrize("action", ["deactivate", "activate", "move"])
async def test_an_unknown_email_is_not_found(
    action: str, company: Company, clock: FixedClock
) -> None:
    email = "nadie@ejemplo.co"
    calls = {
        "deactivate": lambda: deactivate_user(email, now=clock.now()),
        "activate": lambda: activate_user(email, now=clock.now()),
        "move": lambda: move_user(email, company, now=clock.now()),
    }
    await nothing_written(
        calls[action](),
        code=ErrorCode.NOT_FOUND,
        message="No existe un usuario con el correo nadie@ejemplo.co.",
        field=None,
    )
