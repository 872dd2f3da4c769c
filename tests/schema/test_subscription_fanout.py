"""A status change fanned out to many subscribers: its statements do not grow with them (one set
of loaders per event, shared), subscribers asking the same question share one execution, and a
long-lived subscription keeps no state per event."""

import asyncio
import dataclasses
import gc
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from graphql.execution.collect_fields import CollectedFields
from starlette.applications import Starlette

from devkit.sqlcount import sql_statements
from events.bus import InProcessBus
from events.messages import StatusChanged
from models import CertificateRequest, RequestStatusChange
from resolvers.context import Context
from resolvers.ids import from_global_id
from schema.requests.types import CertificateRequest as GraphQLRequest
from schema.root import schema
from services.principal import Principal
from tests.support.factories import Caller
from tests.support.flows import submit
from tests.support.graphql import GraphQLClient
from tests.support.waiting import wait_until

WATCH = """
subscription {
  certificateRequestStatusChanged {
    toStatus at actor { name }
    request { id status statusLabel company { nit } documents { id kind } }
  }
}
"""


async def a_change(gql: GraphQLClient, customer: Caller) -> StatusChanged:
    """A submitted request; the event of its first history row (published again by the tests)."""
    submitted = await submit(gql, customer.token, issued_on=date(2026, 11, 24) - timedelta(days=3))
    assert submitted["errors"] == []
    decoded = from_global_id(submitted["request"]["id"])
    assert decoded is not None
    request = await CertificateRequest.get(id=decoded[1])
    change = await RequestStatusChange.get(request_id=request.id)
    return StatusChanged("request", request.id, request.company_id, change.id)


@asynccontextmanager
async def subscriptions(
    app: Starlette, principal: Principal, count: int
) -> AsyncIterator[list[AsyncGenerator[Any, None]]]:
    """`count` subscriptions of `principal`, as sockets would hold them (each joins the bus at its
    first `anext`)."""
    deps = app.state.deps
    bus = deps.bus
    assert isinstance(bus, InProcessBus)
    streams: list[AsyncGenerator[Any, None]] = []
    for _ in range(count):
        context = Context(deps=deps, public_base_url="http://testserver", principal=principal)
        stream = await schema.subscribe(WATCH, context_value=context)
        assert isinstance(stream, AsyncGenerator), stream
        streams.append(stream)
    try:
        yield streams
    finally:
        for stream in streams:
            await stream.aclose()


async def until_listening(app: Starlette, count: int) -> None:
    """Until `count` subscriptions wait on the bus: a stream joins it at its first `anext`."""
    bus = app.state.deps.bus
    await wait_until(
        lambda: bus.subscriber_count >= count, what=f"{count} subscriptions on the bus"
    )


async def deliver(
    app: Starlette,
    streams: Sequence[AsyncIterator[Any]],
    event: StatusChanged,
    *,
    also_listening: int = 0,
) -> list[Any]:
    """Deliver (a copy of) `event` once every stream, and `also_listening` other subscriptions,
    are on the bus, as the event feed hands over each change it reads; the result each stream
    yields."""
    waiting = [asyncio.ensure_future(anext(stream)) for stream in streams]
    await until_listening(app, len(streams) + also_listening)
    app.state.deps.bus.deliver(dataclasses.replace(event))
    return list(await asyncio.wait_for(asyncio.gather(*waiting), timeout=10))


async def statements_for(
    app: Starlette, principal: Principal, event: StatusChanged, subscribers: int
) -> int:
    async with subscriptions(app, principal, subscribers) as streams:
        with sql_statements() as statements:
            results = await deliver(app, streams, event)
    for result in results:
        assert result.errors is None, result.errors
        change = result.data["certificateRequestStatusChanged"]
        assert change["toStatus"] == "IN_REVIEW"
        assert len(change["request"]["documents"]) == 3
    return len(statements)


async def test_a_change_costs_the_same_statements_for_2_and_20_subscribers(
    app: Starlette, gql: GraphQLClient, customer: Caller, reviewer: Caller
) -> None:
    event = await a_change(gql, customer)
    few = await statements_for(app, reviewer.principal, event, 2)
    many = await statements_for(app, reviewer.principal, event, 20)
    # The change, its request, the company, the documents: loaded once for everyone.
    assert few == many <= 4


async def test_every_subscriber_still_gets_only_what_it_may_see(
    app: Starlette, gql: GraphQLClient, customer: Caller, other_customer: Caller, reviewer: Caller
) -> None:
    """Sharing the loaders of an event does not share the authorisation: it stays per subscriber."""
    event = await a_change(gql, customer)
    own_change = await a_change(gql, other_customer)
    async with (
        subscriptions(app, customer.principal, 1) as own,
        subscriptions(app, other_customer.principal, 1) as foreign,
        subscriptions(app, reviewer.principal, 1) as staff,
    ):
        # Listening before the change is published: it would get it if authorisation were shared.
        first_seen = asyncio.ensure_future(anext(foreign[0]))
        results = await deliver(app, [*own, *staff], event, also_listening=1)
        assert all(r.data["certificateRequestStatusChanged"] for r in results)
        # The positive marker: a later change of its own company, which it must get. Had it been
        # shown the other company's change, that would be what it received first.
        app.state.deps.bus.deliver(dataclasses.replace(own_change))
        result = await asyncio.wait_for(first_seen, timeout=10)
        assert result.errors is None, result.errors
        seen = result.data["certificateRequestStatusChanged"]["request"]["id"]
        assert from_global_id(seen) == ("CertificateRequest", own_change.subject_id)


def collected_fields_alive() -> int:
    gc.collect()
    return sum(isinstance(o, CollectedFields) for o in gc.get_objects())


async def test_a_long_lived_subscription_keeps_nothing_per_event(
    app: Starlette, gql: GraphQLClient, customer: Caller, reviewer: Caller
) -> None:
    """graphql-core 3.3 shares a memo between a subscription and the copies of its executor that
    run each event; it used to grow by two entries (and some 30 objects) per event."""
    event = await a_change(gql, customer)
    async with subscriptions(app, reviewer.principal, 1) as streams:
        for _ in range(3):
            await deliver(app, streams, event)
        before = collected_fields_alive()
        for _ in range(10):
            await deliver(app, streams, event)
        assert collected_fields_alive() == before


def count_request_payloads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now to the test's end, how many times a subscription's `request { … }` was executed:
    the resolver builds the nested object with `CertificateRequest.from_row`, once per execution
    of the selection."""
    built: list[int] = []
    original = GraphQLRequest.from_row.__func__  # type: ignore[attr-defined]

    def from_row(cls: type[GraphQLRequest], row: Any) -> GraphQLRequest:
        built.append(row.id)
        return original(cls, row)  # type: ignore[no-any-return]

    monkeypatch.setattr(GraphQLRequest, "from_row", classmethod(from_row))
    return built


async def test_subscribers_asking_the_same_question_share_one_execution(
    app: Starlette,
    gql: GraphQLClient,
    customer: Caller,
    reviewer: Caller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = await a_change(gql, customer)
    async with subscriptions(app, reviewer.principal, 20) as streams:
        built = count_request_payloads(monkeypatch)
        results = await deliver(app, streams, event)
    assert len(built) == 1  # 20 subscribers, one execution of their (identical) selection
    first = results[0].data
    assert all(result.errors is None and result.data == first for result in results)
    assert first["certificateRequestStatusChanged"]["request"]["company"]["nit"]


async def test_each_principal_gets_its_own_execution_and_each_event_a_fresh_one(
    app: Starlette,
    gql: GraphQLClient,
    customer: Caller,
    reviewer: Caller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = await a_change(gql, customer)
    async with (
        subscriptions(app, customer.principal, 3) as own,
        subscriptions(app, reviewer.principal, 3) as staff,
    ):
        built = count_request_payloads(monkeypatch)
        first = await deliver(app, [*own, *staff], event)
        assert len(built) == 2  # the customer's answer is never the reviewer's, nor reused
        await deliver(app, [*own, *staff], event)
        assert len(built) == 4  # the same change published again is executed again
    assert all(result.errors is None for result in first)
