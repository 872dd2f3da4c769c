"""Open sockets are checked again: a token revoked or expired, a user deactivated or moved to
another company closes the socket, and the session delivers nothing more from that moment."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.enums import Role
from events.feed import EventFeed
from models import ApiToken, User
from server.live_sessions import LiveSession, LiveSessions
from services.auth import hash_token
from services.user_admin import deactivate_user, move_user
from tests.support.factories import Caller, make_caller, make_company


def session_of(caller: Caller, closed: list[int]) -> LiveSession:
    async def close() -> None:
        closed.append(caller.user.id)

    return LiveSession(hash_token(caller.token), caller.principal, close)


Change = Callable[[Caller], Awaitable[object]]


async def _deactivate(caller: Caller) -> object:
    return await User.filter(id=caller.user.id).update(is_active=False)


async def _move(caller: Caller) -> object:
    elsewhere = await make_company()
    return await User.filter(id=caller.user.id).update(company_id=elsewhere.id)


async def _expire(caller: Caller) -> object:
    past = datetime.now(UTC) - timedelta(minutes=1)
    return await ApiToken.filter(user_id=caller.user.id).update(expires_at=past)


async def _revoke(caller: Caller) -> object:
    return await ApiToken.filter(user_id=caller.user.id).update(revoked_at=datetime.now(UTC))


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("change", [_deactivate, _move, _expire, _revoke])
async def test_a_changed_principal_closes_only_its_sockets(change: Change) -> None:
    company = await make_company()
    changed = await make_caller(Role.CUSTOMER, company)
    untouched = await make_caller(Role.CUSTOMER, company)
    closed: list[int] = []
    sessions = LiveSessions(lambda: datetime.now(UTC))
    mine, theirs = session_of(changed, closed), session_of(untouched, closed)
    sessions.add(mine)
    sessions.add(theirs)

    assert await sessions.recheck() == 0  # nothing changed yet
    await change(changed)
    assert await sessions.recheck() == 1
    assert closed == [changed.user.id]
    assert mine.revoked  # its subscriptions deliver nothing more
    assert not theirs.revoked
    assert len(sessions) == 1


@pytest.mark.usefixtures("db")
async def test_a_principal_event_checks_only_that_users_sockets() -> None:
    company = await make_company()
    first = await make_caller(Role.CUSTOMER, company)
    second = await make_caller(Role.CUSTOMER, company)
    closed: list[int] = []
    sessions = LiveSessions(lambda: datetime.now(UTC))
    for caller in (first, second):
        sessions.add(session_of(caller, closed))
    await _revoke(first)
    await _revoke(second)
    await sessions.principals_changed({first.user.id})
    assert closed == [first.user.id]  # the other one waits for its own event or the sweep


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize("action", ["deactivate", "move"])
async def test_a_user_deactivated_or_moved_by_the_admin_use_case_is_closed_at_its_event(
    action: str,
) -> None:
    """No periodic re-check: the PRINCIPAL row the use case writes, read by the feed, closes it."""
    company = await make_company()
    changed = await make_caller(Role.CUSTOMER, company)
    untouched = await make_caller(Role.CUSTOMER, company)
    closed: list[int] = []
    sessions = LiveSessions(lambda: datetime.now(UTC), recheck_interval=3600)
    mine, theirs = session_of(changed, closed), session_of(untouched, closed)
    sessions.add(mine)
    sessions.add(theirs)
    feed = EventFeed(lambda event: None, sessions.principals_changed)
    await feed.seek_to_end()  # read by the test only, not by a polling task

    now = datetime.now(UTC)
    if action == "deactivate":
        await deactivate_user(changed.user.email, now=now)
    else:
        await move_user(changed.user.email, await make_company(), now=now)
    await feed.catch_up()

    assert closed == [changed.user.id]
    assert mine.revoked
    assert not theirs.revoked
