"""Heap settings for a process that serves requests (docs/performance/history.md): the garbage
collector's, and state every connection would otherwise make for itself.

A serving process holds some 100,000 long-lived objects from start-up (modules, the GraphQL
schema, the ORM's metadata) that never become garbage, and every full collection walked them
all: pauses of 40-75 ms that every request in flight waited out, the main part of the tracking
query's p99 at 16 clients on SQLite (172-177 ms before, 95-108 ms after).

Since tuning/acyclic_executor.py an operation leaves no cyclic garbage (its executor was in a
reference cycle): under the tracking query's load the collector does not run at all, where it
made a young collection every ~90 requests (docs/performance/history.md, issue 18 fourth pass).
"""

import decimal
import gc

#: Allocations between young-generation collections (CPython's default is 700): a GraphQL
#: request allocates thousands of short-lived objects, so the default collected several times per
#: request, finding almost nothing (about 4 % of the CPU under load). The older generations keep
#: CPython's default ratios, so cyclic garbage is still collected at a steady pace.
YOUNG_COLLECTION_THRESHOLD = 20_000


def settle_startup_heap() -> None:
    """Collects once, then moves every object alive after start-up out of the collector's reach
    (`gc.freeze`): later collections only walk what requests and subscriptions allocate."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


def share_decimal_context() -> None:
    """Creates `decimal`'s arithmetic context where every connection's task inherits it.

    `decimal` keeps its context in a context variable and makes one in whichever asyncio task
    asks first. The ORM parses timestamps with a Decimal, and a subscriber's socket authenticates
    in its own task, so every idle socket kept a context of its own (0.3 KiB per subscriber). Made
    at import, before uvicorn opens its sockets, it is the one all tasks copy. Code that needs other
    settings uses `decimal.localcontext()`, which stays within its task.
    """
    decimal.getcontext()
