"""AcyclicExecutor: an operation's executor freed as soon as its answer is built, not by the
garbage collector.

**Why.** graphql-core 3.3's `Executor.__init__` keeps `async_helpers`, a tuple of two of its own
bound methods (`gather_async_work`, `track_async_work`), on itself: executor → helpers → bound
method → executor, a reference cycle. Reference counting can never free an executor, so each one,
with everything only it holds (the collected fields and their memo, the variables, the loaders,
the context with its request and response), waits for the cyclic garbage collector: 236
collectable objects per tracking request, against none for the plain endpoint
(`gc.DEBUG_SAVEALL` over 50 requests through each application). Under 16 clients one worker ran a
young collection every ~90 tracking requests, each a 7-11 ms pause (it walks the 20,000 objects
`server/heap.py` lets accumulate, the in-flight requests' included) that every request in flight
waits out, and a middle-generation one (18-19 ms) every ~1,200; the plain endpoint's process never
collected at all (`python -m bench.http`, GC columns).

**What it does.** The helpers call the executor through a weak reference. They are only called
from within the executor's own methods while it runs (graphql-core completing an object whose
`is_type_of` is awaitable), so the executor is alive whenever they are (a subscription's
per-event copies share the helpers of the subscription's executor, which outlives them, as
before); with no cycle the executor and all it holds are freed by reference counting as the
answer is returned.

**Measured alone** (`python -m bench.http --rounds 6 --seconds 3`: the tracking request, one
worker, 16 clients, a real `certs serve` with and without it and the plain endpoint taking turns;
2026-12-01 15:18-15:20 UTC, load average 2.8-3.6): CPU per request, median of the rounds' ratios
without/with, **1.038 on SQLite, 1.068 on PostgreSQL** (3.02 against 3.15 ms, 2.60 against 2.74);
the collector's CPU 148 and 117 µs per request without, 0.5 and 0 with; young collections 11.3
per 1,000 requests and middle ones 1.1 without, 0.2 and 0 with; the longest pause 96 and 28 ms
without, 3 and 0 with. The p99 of that run moved within its noise (108 against 91 ms on SQLite,
92 against 94 on PostgreSQL). The reviewers' queue page of 50 (960 collectable objects a page
without it; `python -m bench.http --page queue --rounds 6 --seconds 3`, 15:40-15:43 UTC, load
average 1.3-2.2): CPU per page **1.164 on SQLite, 1.109 on PostgreSQL** without/with; the
collector 1.42 and 1.53 ms a page without, 0.20 and 0.04 with; the longest pause 204 and 287 ms
without, 10 and 12 ms with; **p99 445 → 248 ms on SQLite, 485 → 366 on PostgreSQL**.

**After execution plans** (tuning/execution_plans.py, merged beside it: the executor holds less,
94.7 collectable objects per tracking request and 855 per queue page without this patch, none
with it; the same command, 6 rounds, 15:48-15:53 UTC, load average 1.7-2.9): CPU without/with
on the tracking request **1.000 on SQLite** (the collector's 50 µs a request, 1.8 %, within the
noise) and **1.062 on PostgreSQL**; on the queue page **1.091 and 1.104**, p99 460 → 248 ms and
413 → 351 ms; the longest pause 19-244 ms without, 0-13 ms with.

**Upstream.** No issue exists; the text to file is docs/performance/upstream/
graphql-core-executor-cycle.md.

**Version guard.** `CHECKED_AGAINST` below (tuning/versions.py refuses any other version).
"""

import weakref
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from graphql import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

#: What this module relies on: graphql-core's `Executor.__init__` setting `async_helpers` from the
#: executor's `gather_async_work` and `track_async_work`, and nothing else holding the executor.
CHECKED_AGAINST: Mapping[str, str] = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}


class _Helpers:
    """`gather` and `track` of an executor held weakly (no cycle through the executor)."""

    __slots__ = ("_executor",)

    def __init__(self, executor: "AcyclicExecutor") -> None:
        self._executor = weakref.ref(executor)

    def _alive(self) -> "AcyclicExecutor":
        executor = self._executor()
        if executor is None:  # pragma: no cover - only called from the running executor
            raise RuntimeError("an operation's helpers were called after its executor ended")
        return executor

    def gather(self, values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        return self._alive().gather_async_work(values)

    def track(self, values: Sequence[Any]) -> None:
        self._alive().track_async_work(values)


class AcyclicExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context whose `async_helpers` hold it weakly (see the module)."""

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        helpers = _Helpers(self)
        self.async_helpers = GraphQLResolveInfoHelpers(gather=helpers.gather, track=helpers.track)
