"""Each SQL statement counted by a call, not by a log record: the SQL count of an operation's log
line without a `LogRecord` per statement.

**Why.** The server's log line gives each operation's SQL count (`server/logs.py`). Tortoise has
no hook per statement; it logs each one at DEBUG on `tortoise.db_client`, and the count was a
handler there, so the logger ran at DEBUG in production: every statement went through
`Logger.debug` → `_log` → `findCaller` (walks the stack) → a `LogRecord` (time, thread, process)
→ the handlers. Seven statements a tracking request; the plain endpoint builds no record at all.
`python -m bench --profile tracking` (16:15 UTC, load 0.7) gave logging 0.072 ms of GraphQL's
2.68 ms a request, 9 % of the whole difference with plain.

**What it does.** `count_debug_calls` gives the logger object itself (the one Tortoise's clients
hold as `self.log`) a `debug` of its own: it calls `count()`, then logs as before only if the
logger is enabled for DEBUG (`LOG_LEVEL=DEBUG`, or `devkit.sqlcount` in the tests, which set it
and add their handler: their records are built and handled as before). The logger is no longer
set to DEBUG to count, so in production no record is built.

**Measured alone** (`python -m bench.inprocess --page tracking --rounds 20 --calls 40`, the
variant "SQL counted by log records" against certs serve's application, the variants taking
turns; see docs/performance.md "What changed, each measured alone", item 11 for the figures).

**Upstream.** Tortoise has no statement hook (its signals are the models' saves and deletes);
https://github.com/tortoise/tortoise-orm/issues/591 asks for database event hooks, open; the
comment to add there is docs/performance/upstream/tortoise-statement-hook.md.

**Version guard.** `CHECKED_AGAINST` below: Tortoise's clients log every statement, and nothing
else of this logger, by calling `self.log.debug(...)` on `tortoise.log.db_client_logger` (no
`isEnabledFor` test of their own, no `log.log(DEBUG, ...)`), so a call is a statement sent (or a
connection opened or closed, which the count always included).
"""

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

#: What this module relies on: how Tortoise's clients log their statements (see the module).
CHECKED_AGAINST: Mapping[str, str] = {"tortoise-orm": "1.1.9"}


def count_debug_calls(logger: logging.Logger, count: Callable[[], None]) -> None:
    """Every `logger.debug(...)` from now on calls `count()` first; it then logs as
    `Logger.debug` does, if the logger is enabled for DEBUG (cheaply skipped otherwise)."""
    log = logging.Logger.debug

    def debug(msg: object, *args: Any, **kwargs: Any) -> None:
        count()
        if logger.isEnabledFor(logging.DEBUG):
            log(logger, msg, *args, stacklevel=kwargs.pop("stacklevel", 1) + 1, **kwargs)

    logger.debug = debug  # type: ignore[method-assign]


@contextmanager
def counting_paused(logger: logging.Logger) -> Iterator[None]:
    """`logger.debug` as `Logger.debug` for the block (no call counted), the count given back
    after it: a process that counts nothing, e.g. the plain endpoint's in bench.inprocess."""
    counted = vars(logger).pop("debug", None)
    try:
        yield
    finally:
        if counted is not None:
            logger.debug = counted  # type: ignore[method-assign]
