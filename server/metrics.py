"""Prometheus metrics on /metrics: operations, errors, live connections, the email outbox.

Each app has its own registry (tests build many apps in one process). With PROMETHEUS_MULTIPROC_DIR
set (`certs serve --workers N` sets it), prometheus-client's multiprocess mode is on: every worker
writes its values to files in that folder, and /metrics answers with all of them added up, whichever
worker the scrape reaches (docs/operations.md: Observability).
"""

import asyncio
import contextlib
import ipaddress
import os
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from events.feed import EventFeed
from events.metrics import LIVE_HELP, LiveMetrics
from models.live import LiveEvent
from models.outbox import OutboxEmail, OutboxStatus
from server.auth import client_address

#: Operation names become label values: only plausible names, and no more than this many
#: distinct ones per process (a client inventing names would otherwise grow the registry forever).
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


#: How often, in multiprocess mode, each worker writes its number of active subscriptions.
SUBSCRIPTIONS_REFRESH_SECONDS = 5.0
#: The folder of prometheus-client's multiprocess files; its presence turns the mode on.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: A live gauge file of one process: `gauge_livesum_1234.db`.
_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")


def multiprocess_dir() -> Path | None:
    """The multiprocess folder when the mode is on (read from the environment, as
    prometheus-client itself does when it is imported)."""
    raw = os.environ.get(MULTIPROC_ENV)
    return Path(raw) if raw else None


def prepare_multiprocess_dir(workers: int) -> Path | None:
    """Before `certs serve` starts its workers: the folder they share, made ready.

    With PROMETHEUS_MULTIPROC_DIR set, that folder (created 0700 when missing) is emptied of the
    files of earlier runs. Otherwise, with more than one worker, a fresh private folder (0700) is
    created and PROMETHEUS_MULTIPROC_DIR set to it, for the workers to inherit; the caller removes
    it when the server stops (`remove_multiprocess_dir`). Returns the folder the caller owns.
    """
    given = multiprocess_dir()
    if given is not None:
        given.mkdir(mode=0o700, parents=True, exist_ok=True)
        mine = f"_{os.getpid()}.db"  # this process's own files, already open (one worker)
        for stale in given.glob("*.db"):
            if not stale.name.endswith(mine):
                stale.unlink(missing_ok=True)
        return None
    if workers <= 1:
        return None
    created = Path(tempfile.mkdtemp(prefix="certs-metrics-"))  # mode 0700
    os.environ[MULTIPROC_ENV] = str(created)
    return created


def remove_multiprocess_dir(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_processes(path: Path) -> None:
    """Mark as dead the processes whose live gauges are still on file but which are gone (a
    worker that crashed and was replaced): their open sockets no longer count."""
    for entry in path.glob("gauge_live*.db"):
        match = _LIVE_GAUGE_FILE.fullmatch(entry.name)
        if match and not _alive(int(match.group(1))):
            mark_process_dead(int(match.group(1)), str(path))  # type: ignore[no-untyped-call]


def parse_networks(
    raw: Iterable[str],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in raw if item.strip())


class LiveCollector(Collector):
    """The live layer's counters, read from its plain integers at each scrape: names ending in
    `_total` are counters, in `_now` gauges; each is exported as `live_<name>`."""

    def __init__(self, live: LiveMetrics) -> None:
        self.live = live

    def collect(self) -> Iterable[Metric]:
        for name, value in self.live.snapshot().items():
            help_text = LIVE_HELP.get(name, name.replace("_", " "))
            if name.endswith("_total"):
                yield CounterMetricFamily(f"live_{name[: -len('_total')]}", help_text, value=value)
            else:
                yield GaugeMetricFamily(f"live_{name.removesuffix('_now')}", help_text, value=value)


class Metrics:
    def __init__(
        self,
        allowed_networks: Sequence[str] = ("127.0.0.0/8", "::1/128"),
        *,
        live: LiveMetrics | None = None,
        feed: EventFeed | None = None,
    ) -> None:
        #: Multiprocess mode: gauges say how the workers' values combine, custom collectors are
        #: not read (their values reach /metrics through files instead).
        self.multiprocess = multiprocess_dir()
        self.registry = CollectorRegistry()
        if live is not None and self.multiprocess is None:
            self.registry.register(LiveCollector(live))
        self.feed = feed
        self.event_lag = Gauge(
            "live_event_lag_seconds",
            "Age of the oldest event in the event outbox this process has not read yet (0 when "
            "caught up), read at each scrape.",
            registry=self.registry,
            # The process that answers the scrape reads it then: its value, not a stale one.
            multiprocess_mode="livemostrecent",
        )
        self.allowed_networks = parse_networks(allowed_networks)
        self.operation_duration = Histogram(
            "graphql_operation_duration_seconds",
            "Time to answer a GraphQL operation over HTTP, by operation name and type.",
            ["operation_name", "operation_type"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "graphql_errors",
            "GraphQL errors returned, by code (extensions.code, or a payload's UserError.code).",
            ["code"],
            registry=self.registry,
        )
        self.sockets = Gauge(
            "graphql_websocket_connections",
            "Open WebSocket connections to /graphql.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self._handlers: weakref.WeakSet[Any] = weakref.WeakSet()
        self.subscriptions = Gauge(
            "graphql_subscriptions",
            "Active subscriptions over all open WebSocket connections.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        if self.multiprocess is None:
            self.subscriptions.set_function(self._active_subscriptions)
        self._refreshing: asyncio.Task[None] | None = None
        self.outbox_pending = Gauge(
            "outbox_pending_emails",
            "Emails in the outbox not yet sent (PENDING), read at each scrape.",
            registry=self.registry,
            # Read from the database by whichever process answers the scrape: counted once.
            multiprocess_mode="livemostrecent",
        )
        self.outbox_oldest_age = Gauge(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest PENDING email in the outbox (0 when none), read at each scrape.",
            registry=self.registry,
            # Read from the database by whichever process answers the scrape: counted once.
            multiprocess_mode="livemostrecent",
        )
        self._names: set[str] = set()

    def start(self) -> None:
        """Multiprocess mode: this worker writes its count of subscriptions to its file every
        SUBSCRIPTIONS_REFRESH_SECONDS (a function gauge is not read across processes)."""
        if self.multiprocess is not None and self._refreshing is None:
            self._refreshing = asyncio.create_task(self._refresh_subscriptions())

    async def stop(self) -> None:
        if self._refreshing is not None:
            self._refreshing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refreshing
            self._refreshing = None
        self.process_stopped()

    async def _refresh_subscriptions(self) -> None:
        while True:
            self.subscriptions.set(self._active_subscriptions())
            await asyncio.sleep(SUBSCRIPTIONS_REFRESH_SECONDS)

    def watch_socket_handler(self, handler: Any) -> None:
        """A WebSocket protocol handler whose subscriptions count while it lives."""
        self._handlers.add(handler)

    def _active_subscriptions(self) -> float:
        total = 0
        for handler in list(self._handlers):
            running = getattr(handler, "operations", None)
            if running is None:
                running = getattr(handler, "subscriptions", {})
            total += len(running)
        return float(total)

    def operation_label(self, name: object) -> str:
        if not name:
            return "anonymous"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            return "invalid"
        if name in self._names:
            return name
        if len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def observe_operation(
        self, name: str | None, operation_type: str, seconds: float, error_codes: Iterable[str]
    ) -> None:
        self.operation_duration.labels(self.operation_label(name), operation_type).observe(seconds)
        for code in error_codes:
            self.errors.labels(code).inc()

    def allows(self, request: Request) -> bool:
        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            return False
        return any(address in network for network in self.allowed_networks)

    async def refresh_event_lag(self) -> None:
        if self.feed is None:
            return
        unread = LiveEvent.filter(id__gt=self.feed.cursor.high).order_by("id")
        oldest = await unread.first().values_list("created_at", flat=True)
        self.event_lag.set(_age_seconds(oldest))

    async def refresh_outbox(self) -> None:
        pending = OutboxEmail.filter(status=OutboxStatus.PENDING)
        self.outbox_pending.set(await pending.count())
        oldest = await pending.order_by("created_at").first().values_list("created_at", flat=True)
        self.outbox_oldest_age.set(_age_seconds(oldest))

    async def endpoint(self, request: Request) -> Response:
        """The Prometheus text format, for addresses in METRICS_ALLOWED_NETWORKS only."""
        if not self.allows(request):
            return JSONResponse(
                {"errors": [{"message": "No autorizado.", "extensions": {"code": "FORBIDDEN"}}]},
                status_code=403,
            )
        await self.refresh_outbox()
        await self.refresh_event_lag()
        if self.multiprocess is not None:
            self.subscriptions.set(self._active_subscriptions())  # this worker's, current
        return Response(self.exposition(), media_type=CONTENT_TYPE_LATEST)

    def exposition(self) -> bytes:
        if self.multiprocess is None:
            return generate_latest(self.registry)
        forget_dead_processes(self.multiprocess)
        # A registry per scrape, holding only the collector of the files (as the docs advise).
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self.multiprocess))  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def process_stopped(self) -> None:
        """At the end of a worker's lifespan: its live gauges stop counting."""
        if self.multiprocess is not None:
            mark_process_dead(os.getpid(), str(self.multiprocess))  # type: ignore[no-untyped-call]


def _age_seconds(moment: object) -> float:
    """Seconds since a stored timestamp (naive ones are UTC); 0 for none."""
    if not isinstance(moment, datetime):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, time.time() - moment.timestamp())
