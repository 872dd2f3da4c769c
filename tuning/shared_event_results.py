"""The execution context of the schema: how each subscription event is executed.

**Why.** Without it every subscriber executes every event itself, even when 1,000 dashboards ask
the same question of the same row; the subscription executor's dictionary outgrows CPython's
shared keys (1.1 KiB more per idle subscriber); and the per-event memo grows with every event a
subscriber executes, for the subscription's whole life.

**Measured alone** (`python -m bench.tuning`, 1,000 reviewers' dashboards on one SQLite worker,
each variant a real `certs serve` with that part off, the variants taking turns for 3 rounds,
medians; 2026-12-01 10:25-10:40 UTC, load average 5-7):

- sharing the result (`execute_operation`): server CPU per event (the mutation and its fan-out)
  102 ms with it, 207 ms without (first run: 90 against 190): **half the CPU**;
- `__slots__`: memory per idle subscriber 31.5 KiB with them, 32.6 KiB without, in both runs:
  **1.1 KiB (3.5 %) less**;
- a memo per event (`build_per_event_executor`): with sharing off in both variants, so that each
  subscriber executes each event as subscribers with different viewers do, what a subscriber's
  memory grew over 6 events: 17.8 KiB with it, 32.9 KiB without: **2.5 KiB less per event
  executed**, which would otherwise stay for the subscription's life (8 % of an idle subscriber
  for every event). With sharing on, where one subscriber executes, 11.8 against 11.6 KiB.

**Upstream.** No issue exists; the texts to file are docs/performance/upstream/
graphql-core-per-event-executor.md (the memo, the slots) and
strawberry-shared-subscription-results.md (sharing); related: graphql-js's per-event executor,
https://github.com/graphql/graphql-js/pull/4211.

**Version guard.** `CHECKED_AGAINST` below (tuning/versions.py refuses any other version).
"""

import asyncio
from collections.abc import Mapping
from typing import Any

from graphql import ExecutionResult
from graphql.execution import Executor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

#: What this module relies on: graphql-core's per-event executor (`build_per_event_executor`, the
#: `_relevant_sub_fields` memo it shares with its copy, `execute_operation`) and the attributes
#: graphql-core and Strawberry set on the executor (its `__slots__`).
CHECKED_AGAINST: Mapping[str, str] = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}


class SharedEventResultsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """How each subscription event is executed.

    **One execution per question, not per subscriber.** Every subscriber of a process gets the
    same event object from the bus, and the payload its resolver yields is built from the rows of
    that event's shared loaders. Subscribers that ask the same question (the same parsed operation,
    the same variables) as the same principal, of the same payload row, get the same answer: the
    first executes it and the others await its result (docs/performance/history.md: 2,000 reviewers'
    dashboards, one execution). The principal is part of the question, so no one is ever answered
    with what someone else may see; a result with errors is not shared (each executes its own, so
    errors are masked and logged per subscriber); and the results live with the event's loaders,
    dropped with the event.

    **A memo per event.** graphql-core 3.3 runs each event on a shallow copy of the subscription's
    executor, so the copy shares the memo of collected subfields, keyed by the identity of lists
    made anew for every event: the memo grew by some 30 objects per event and per subscriber for as
    long as the subscription lived, and every garbage collection walked them. Each event gets a memo
    of its own, dropped with it.

    **Slots.** The executor of a subscription lives as long as the subscription. graphql-core and
    Strawberry set 32 attributes on it, and past 29 CPython gives an object a dictionary of its
    own instead of its class's shared keys: 1.6 KiB per subscriber instead of 0.4 (README,
    Performance: memory per idle subscriber). The attributes named here live in slots instead.
    """

    __slots__ = (
        "_deferred_execution_plans",
        "_initial_execution_plans",
        "abort_signal",
        "defer_usage_set",
        "groups",
        "hide_suggestions",
        "hooks",
        "operation_extensions",
        "streams",
        "tasks",
    )

    _event_payload: Any = None

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        executor._event_payload = payload  # type: ignore[attr-defined]
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        key = self._shared_result_key()
        if key is None:
            return super().execute_operation(serially)
        return self._execute_shared(key, serially)

    def _shared_result_key(self) -> tuple[Any, ...] | None:
        """The question this per-event execution answers; None when it must not be shared."""
        payload = self._event_payload
        row = getattr(payload, "row", None)
        principal = getattr(self.context_value, "principal", None)
        if payload is None or row is None or principal is None:
            return None
        variables = getattr(self.variable_values, "coerced", None) or {}
        return (
            principal,
            id(self.operation),
            id(row),
            type(payload),
            tuple(sorted((name, repr(value)) for name, value in variables.items())),
        )

    async def _execute_shared(self, key: tuple[Any, ...], serially: bool | None) -> Any:
        shared: dict[Any, Any] = self.context_value.loaders.shared_results
        entry = shared.get(key)
        # The ids in the key are checked against the objects themselves: an id is only unique
        # among objects alive together.
        if entry is not None and entry[0] is self.operation and entry[1] is self._event_payload.row:
            result = await asyncio.shield(entry[2])
            if result is not None:
                return result
            return await self._own_result(serially)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        shared[key] = (self.operation, self._event_payload.row, answer)
        try:
            result = await self._own_result(serially)
        except BaseException:
            answer.set_result(None)  # failed or cancelled: the others execute their own
            raise
        shareable = isinstance(result, ExecutionResult) and not result.errors
        answer.set_result(result if shareable else None)
        return result

    async def _own_result(self, serially: bool | None) -> Any:
        result = super().execute_operation(serially)
        return await result if self.is_awaitable(result) else result
