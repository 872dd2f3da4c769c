"""The event feed: every committed event once, whatever order the transactions commit in; read
in batches whose statements do not grow with the events; a revocation handled before any event
read after it; a token revocation that is announced in its own transaction."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devkit.sqlcount import sql_statements
from domain.enums import IdentityDocumentType, RequestKind, RequestStatus, Role
from events.feed import Cursor, EventFeed
from events.messages import StatusChanged
from models import CertificateRequest, LiveEvent, LiveEventKind
from services.auth import revoke_tokens
from services.history import record_request_change
from tests.support.factories import Caller, make_caller, make_company

# The cursor, against a reference model: what is committed is delivered, once.


@st.composite
def commit_orders(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Ids handed out 1..n, committed in any order, read after any prefix of the commits."""
    n = draw(st.integers(1, 30))
    order = draw(st.permutations(list(range(1, n + 1))))
    reads = draw(st.lists(st.integers(0, n), max_size=10))
    return list(order), sorted({*reads, n})


@settings(max_examples=200, deadline=None)
@given(commit_orders())
def test_the_cursor_delivers_every_committed_id_once_whatever_the_commit_order(
    case: tuple[list[int], list[int]],
) -> None:
    order, read_points = case
    cursor = Cursor(0, gap_timeout=60)
    delivered: list[int] = []
    for point in read_points:
        committed = set(order[:point])
        # What a read returns: every committed id above `high`, and any committed gap.
        visible = [i for i in committed if i > cursor.high or i in cursor.gaps]
        delivered += cursor.take(visible, now=0.0)
    assert sorted(delivered) == sorted(order)  # all of them
    assert len(delivered) == len(set(delivered))  # once
    assert cursor.gaps == {}


def test_a_gap_is_waited_for_then_given_up() -> None:
    cursor = Cursor(0, gap_timeout=10)
    assert cursor.take([1, 3], now=0.0) == [1, 3]
    assert cursor.gaps == {2: 0.0}
    assert cursor.give_up(now=5.0) == []
    assert cursor.take([2, 3], now=6.0) == [2]  # the late commit arrives; 3 is not repeated
    assert cursor.take([5], now=7.0) == [5]
    assert cursor.give_up(now=17.0) == [4]  # a rolled-back transaction's id: given up
    assert cursor.gaps == {}


# The feed, on a real database.


async def submitted(caller: Caller, company_id: int) -> CertificateRequest:
    return await CertificateRequest.create(
        company_id=company_id,
        kind=RequestKind.NEW,
        status=RequestStatus.IN_REVIEW,
        legal_representative_name="Ana Ruiz",
        legal_representative_id_type=IdentityDocumentType.CC,
        legal_representative_id_number="1020304050",
        validity_starts_on=date(2026, 12, 1),
        submitted_at=datetime.now(UTC),
        submitted_by_id=caller.user.id,
    )


class Recorder:
    def __init__(self) -> None:
        self.seen: list[object] = []

    def deliver(self, event: StatusChanged) -> None:
        self.seen.append(event)

    async def principals(self, user_ids: set[int]) -> None:
        self.seen.append(("principals", user_ids))


async def changes(count: int) -> tuple[list[StatusChanged], Caller]:
    company = await make_company()
    customer = await make_caller(Role.CUSTOMER, company)
    made = []
    for _ in range(count):
        request = await submitted(customer, company.id)
        made.append(
            await record_request_change(
                request,
                from_status=None,
                actor=customer.principal,
                at=request.submitted_at,
                note=None,
            )
        )
    return made, customer


@pytest.mark.usefixtures("db")
async def test_the_feed_delivers_each_committed_event_once_in_order_with_its_row() -> None:
    recorder = Recorder()
    feed = EventFeed(recorder.deliver, recorder.principals, batch_size=4)
    await feed.seek_to_end()  # read by the test only, not by a polling task
    made, _ = await changes(10)
    assert await feed.catch_up() == 10  # in batches of 4: 4, 4, 2
    assert await feed.catch_up() == 0
    assert recorder.seen == made
    for event in recorder.seen:
        assert isinstance(event, StatusChanged)
        assert event.change is not None
        assert event.change.id == event.change_id


@pytest.mark.usefixtures("db")
async def test_a_batch_costs_the_same_statements_for_1_and_40_events() -> None:
    async def statements_for(count: int) -> int:
        recorder = Recorder()
        feed = EventFeed(recorder.deliver, recorder.principals)
        await feed.seek_to_end()  # read by the test only, not by a polling task
        await changes(count)
        with sql_statements() as statements:
            assert await feed.catch_up() == count
        return len(statements)

    assert await statements_for(1) == await statements_for(40) <= 3


@pytest.mark.usefixtures("db")
async def test_events_written_before_the_feed_started_are_not_replayed() -> None:
    await changes(2)
    recorder = Recorder()
    feed = EventFeed(recorder.deliver, recorder.principals)
    await feed.seek_to_end()  # read by the test only, not by a polling task
    later, _ = await changes(1)
    await feed.catch_up()
    assert recorder.seen == later


@pytest.mark.usefixtures("db")
async def test_a_revocation_is_announced_with_it_and_handled_before_the_events_after_it() -> None:
    recorder = Recorder()
    feed = EventFeed(recorder.deliver, recorder.principals)
    await feed.seek_to_end()  # read by the test only, not by a polling task
    before, customer = await changes(1)
    assert await revoke_tokens(customer.user.email, now=datetime.now(UTC)) == 1
    assert await revoke_tokens(customer.user.email, now=datetime.now(UTC)) == 0
    after, _ = await changes(1)
    await feed.catch_up()  # all three in one batch
    assert recorder.seen == [*before, ("principals", {customer.user.id}), *after]
    assert await LiveEvent.filter(kind=LiveEventKind.PRINCIPAL).count() == 1  # not for "0"


@pytest.mark.usefixtures("db")
async def test_the_company_of_an_event_is_read_from_the_database() -> None:
    """The outbox row's company is never trusted: the subject's owner is read now."""
    recorder = Recorder()
    feed = EventFeed(recorder.deliver, recorder.principals)
    await feed.seek_to_end()  # read by the test only, not by a polling task
    [made], _ = await changes(1)
    await LiveEvent.filter(change_id=made.change_id).update(company_id=987654)
    await feed.catch_up()
    [event] = recorder.seen
    assert isinstance(event, StatusChanged)
    assert event.company_id == made.company_id != 987654
