"""API tokens: issued once, stored as a hash, refused when expired, revoked or the user inactive."""

import hashlib
from datetime import timedelta

import pytest

from domain.clock import FixedClock
from domain.enums import ErrorCode, Role
from domain.errors import DomainError
from models import ApiToken, User
from services.auth import TOKEN_PREFIX, authenticate, issue_token, list_tokens
from tests.support.factories import Caller
from tests.support.refusals import assert_refusal


async def test_an_issued_token_authenticates_its_user(customer: Caller, clock: FixedClock) -> None:
    token = await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)

    principal = await authenticate(token, now=clock.now())

    assert principal is not None
    assert (principal.user_id, principal.email, principal.role, principal.company_id) == (
        customer.user.id,
        customer.user.email,
        Role.CUSTOMER,
        customer.user.company_id,
    )
    assert principal.name == "Camila Rojas"


async def test_the_email_is_matched_case_insensitively(customer: Caller, clock: FixedClock) -> None:
    token = await issue_token(
        f"  {customer.user.email.upper()} ", now=clock.now(), expires_in_days=None
    )
    principal = await authenticate(token, now=clock.now())
    assert principal is not None
    assert (principal.user_id, principal.email) == (customer.user.id, customer.user.email)


async def test_the_token_is_not_stored_in_clear(customer: Caller, clock: FixedClock) -> None:
    token = await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)

    assert token.startswith(TOKEN_PREFIX)
    assert len(token) > len(TOKEN_PREFIX) + 30
    row = await ApiToken.filter(user_id=customer.user.id).order_by("-id").first()
    assert row is not None
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [
        str(value)
        for values in await ApiToken.all().values_list(
            "token_hash", "created_at", "expires_at", "revoked_at", "last_used_at"
        )
        for value in values
    ]
    assert not any(token in value or token[len(TOKEN_PREFIX) :] in value for value in stored)


async def test_two_tokens_are_different(customer: Caller, clock: FixedClock) -> None:
    first = await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)
    second = await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)
    assert first != second


async def test_a_token_expires_after_its_days(customer: Caller, clock: FixedClock) -> None:
    issued_at = clock.now()
    token = await issue_token(customer.user.email, now=issued_at, expires_in_days=30)

    last_moment = await authenticate(token, now=issued_at + timedelta(days=30, seconds=-1))
    assert last_moment is not None
    assert last_moment.user_id == customer.user.id
    assert await authenticate(token, now=issued_at + timedelta(days=30)) is None
    assert await authenticate(token, now=issued_at + timedelta(days=365)) is None


async def test_a_revoked_token_no_longer_authenticates(customer: Caller, clock: FixedClock) -> None:
    token = await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)
    await ApiToken.filter(token_hash=hashlib.sha256(token.encode()).hexdigest()).update(
        revoked_at=clock.now()
    )
    assert await authenticate(token, now=clock.now()) is None


async def test_the_token_of_an_inactive_user_no_longer_authenticates(
    customer: Caller, clock: FixedClock
) -> None:
    token = await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)
    await User.filter(id=customer.user.id).update(is_active=False)

    assert await authenticate(token, now=clock.now()) is None
    with pytest.raises(DomainError) as refused:
        await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)
    assert_refusal(
        refused.value,
        code=ErrorCode.NOT_FOUND,
        message=f"No existe un usuario activo con el correo {customer.user.email}.",
    )


async def test_a_wrong_token_is_refused(customer: Caller, clock: FixedClock) -> None:
    token = await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for candidate in (
        tampered,
        token[len(TOKEN_PREFIX) :],
        TOKEN_PREFIX,
        "",
        hashlib.sha256(token.encode()).hexdigest(),
        token + "x",
    ):
        assert await authenticate(candidate, now=clock.now()) is None, candidate


async def test_tokens_for_unknown_users_or_without_days_are_refused(
    customer: Caller, clock: FixedClock
) -> None:
    with pytest.raises(DomainError) as unknown:
        await issue_token("nadie@ejemplo.co", now=clock.now(), expires_in_days=None)
    assert_refusal(
        unknown.value,
        code=ErrorCode.NOT_FOUND,
        message="No existe un usuario activo con el correo nadie@ejemplo.co.",
    )
    for days in (0, -3):
        with pytest.raises(DomainError) as invalid:
            await issue_token(customer.user.email, now=clock.now(), expires_in_days=days)
        assert_refusal(
            invalid.value,
            code=ErrorCode.INVALID_INPUT,
            message="La vigencia del token debe ser de al menos un día.",
        )
    assert await ApiToken.filter(user_id=customer.user.id).count() == 1  # make_caller's


async def test_last_used_at_is_written_at_most_once_a_minute_and_listed_for_operators(
    customer: Caller, clock: FixedClock
) -> None:
    token = await issue_token(customer.user.email, now=clock.now(), expires_in_days=None)
    first_use = clock.now()
    assert await authenticate(token, now=first_use) is not None
    row = await ApiToken.get(token_hash=hashlib.sha256(token.encode()).hexdigest())
    assert row.last_used_at == first_use

    assert await authenticate(token, now=first_use + timedelta(seconds=59)) is not None
    await row.refresh_from_db()
    assert row.last_used_at == first_use  # within the minute: not written again

    later = first_use + timedelta(seconds=61)
    assert await authenticate(token, now=later) is not None
    listed = await list_tokens(customer.user.email)
    mine = next(entry for entry in listed if entry["id"] == row.id)
    assert mine["lastUsedAt"] == later.isoformat()
    assert token not in str(listed)
