"""Logging: one JSON object per line for production (LOG_FORMAT=json), or a human line for
development (LOG_FORMAT=text); both carry the request id. `logging_config` is handed to uvicorn,
which applies it in every worker process of `--workers N` (a `basicConfig` in the parent process
would configure none of them).

Also counts the SQL statements of an operation: Tortoise logs each statement at DEBUG on
`tortoise.db_client`; each of those calls adds one to the counter of the running operation
(tuning/statement_count.py: a call, no log record).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

from schema.request_scope import current_request_id
from tuning.statement_count import count_debug_calls

LOG_FORMATS = ("json", "text")
#: LogRecord attributes that are not fields of the event.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "pid", "request_id", ...extra fields,
    "exception"}`; `pid` tells apart the workers of `certs serve --workers N`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id] message key=value…`, for a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s: %(message)s%(fields)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.rid = f" [{request_id}]" if request_id else ""
        fields = {
            k: v
            for k, v in vars(record).items()
            if k not in _STANDARD and k not in ("rid", "fields", "request_id") and v is not None
        }
        record.fields = "".join(f" {k}={v}" for k, v in fields.items())
        return super().format(record)


def logging_config(level: str = "INFO", log_format: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the root logger and uvicorn's, in the chosen format."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    formatter = "server.logs.JsonFormatter" if log_format == "json" else "server.logs.TextFormatter"
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "default",
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "server.logs.RequestIdFilter"}},
        "formatters": {"default": {"()": formatter}},
        "handlers": {"default": handler},
        "root": {"level": level.upper(), "handlers": ["default"]},
        "loggers": {
            # uvicorn's own loggers go through the same handler, in the same format.
            "uvicorn": {"level": level.upper(), "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "uvicorn.access": {"level": level.upper(), "handlers": [], "propagate": True},
        },
    }


_sql_count: ContextVar[list[int] | None] = ContextVar("sql_count", default=None)


def sql_counter_off() -> None:
    """Statements run from here on, in this context, count for no operation."""
    _sql_count.set(None)


def count_statement() -> None:
    """One more statement for the running operation's count, if one is counting."""
    box = _sql_count.get()
    if box is not None:
        box[0] += 1


def count_sql_statements() -> None:
    """Counts each statement Tortoise logs on `tortoise.db_client` by a call, without a log
    record (tuning/statement_count.py); the statements are printed as before when LOG_LEVEL is
    DEBUG (the logger's level and propagation are left as logging_config sets them)."""
    count_debug_calls(logging.getLogger("tortoise.db_client"), count_statement)


@contextmanager
def sql_counter() -> Iterator[list[int]]:
    """`[n]`: the statements sent inside the block (and the tasks it starts) so far."""
    box = [0]
    token = _sql_count.set(box)
    try:
        yield box
    finally:
        _sql_count.reset(token)
