"""Prometheus metrics on /metrics: operations, errors, live connections, the email outbox.

Each app has its own registry (tests build many apps in one process). With PROMETHEUS_MULTIPROC_DIR
set (`certs serve --workers N` sets it), prometheus-client's multiprocess mode is on: every worker
writes its values to files in that folder, and /metrics answers with all of them added up, whichever
worker the scrape reaches (docs/operations.md: Observability).

What belongs to the deployment, not to a worker, is read from the database by the worker that
answers the scrape, once: the outbox's backlog and age, and the event lag, measured from the
position of the running worker furthest behind in the event outbox (each worker's feed writes its
position to its file; `livemin` keeps the lowest), so a stuck worker shows, whoever answers.
"""

import ipaddress
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from events.feed import EventFeed
from events.metrics import LIVE_HELP, READ_POSITION, LiveMetrics
from models.live import LiveEvent
from models.outbox import OutboxEmail, OutboxStatus
from server.auth import client_address

#: Operation names become label values: only plausible names, and no more than this many
#: distinct ones per process (a client inventing names would otherwise grow the registry forever).
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

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


class Scraped(Collector):
    """The metrics gathered for one scrape, handed to `generate_latest` as they are."""

    def __init__(self, metrics: Iterable[Metric]) -> None:
        self.metrics = list(metrics)

    def collect(self) -> Iterable[Metric]:
        return self.metrics


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
            "GraphQL errors returned over HTTP or a WebSocket, by code (extensions.code, or a "
            "payload's UserError.code).",
            ["code"],
            registry=self.registry,
        )
        self.sockets = Gauge(
            "graphql_websocket_connections",
            "Open WebSocket connections to /graphql.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.subscriptions = Gauge(
            "graphql_subscriptions",
            "Operations running on open WebSocket connections: the active subscriptions, and a "
            "query or mutation sent over a socket while it is answered.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self._names: set[str] = set()

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
        self.count_errors(error_codes)

    def count_errors(self, error_codes: Iterable[str]) -> None:
        """Errors returned, over HTTP or a WebSocket, one per code given."""
        for code in error_codes:
            self.errors.labels(code).inc()

    def allows(self, request: Request) -> bool:
        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            return False
        return any(address in network for network in self.allowed_networks)

    async def endpoint(self, request: Request) -> Response:
        """The Prometheus text format, for addresses in METRICS_ALLOWED_NETWORKS only."""
        if not self.allows(request):
            return JSONResponse(
                {"errors": [{"message": "No autorizado.", "extensions": {"code": "FORBIDDEN"}}]},
                status_code=403,
            )
        own = self.feed.cursor.high if self.feed is not None else None
        if self.multiprocess is None:
            gathered, position = list(self.registry.collect()), own
        else:
            gathered, lowest = self.read_workers(self.multiprocess)
            position = own if lowest is None else lowest
        gathered += await deployment_gauges(position)
        return Response(generate_latest(Scraped(gathered)), media_type=CONTENT_TYPE_LATEST)

    @staticmethod
    def read_workers(folder: Path) -> tuple[list[Metric], int | None]:
        """Multiprocess mode: every worker's values from their files, combined as each metric
        says (what prometheus-client's MultiProcessCollector yields), and the lowest event outbox
        position among the running workers (None before any feed wrote one), which is left out."""
        forget_dead_processes(folder)
        files = [str(path) for path in folder.glob("*.db")]
        merged = MultiProcessCollector.merge(files, accumulate=True)  # type: ignore[no-untyped-call]
        gathered: list[Metric] = []
        lowest: int | None = None
        for metric in merged:
            if metric.name != READ_POSITION:
                gathered.append(metric)
            elif metric.samples:
                lowest = int(min(sample.value for sample in metric.samples))
        return gathered, lowest

    def process_stopped(self) -> None:
        """At the end of a worker's lifespan: its live gauges stop counting."""
        if self.multiprocess is not None:
            mark_process_dead(os.getpid(), str(self.multiprocess))  # type: ignore[no-untyped-call]


async def deployment_gauges(position: int | None) -> list[Metric]:
    """What belongs to the deployment, read from the database at the scrape (once, whichever
    worker answers): the outbox's backlog and the age of its oldest email, and the event lag: the
    age of the oldest event after `position` (the lowest read by a running worker), 0 when none."""
    pending = OutboxEmail.filter(status=OutboxStatus.PENDING)
    backlog = await pending.count()
    oldest_email = await pending.order_by("created_at").first().values_list("created_at", flat=True)
    oldest_event = None
    if position is not None:
        unread = LiveEvent.filter(id__gt=position).order_by("id")
        oldest_event = await unread.first().values_list("created_at", flat=True)
    return [
        GaugeMetricFamily(
            "outbox_pending_emails",
            "Emails in the outbox not yet sent (PENDING), read at each scrape.",
            value=backlog,
        ),
        GaugeMetricFamily(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest PENDING email in the outbox (0 when none), read at each scrape.",
            value=_age_seconds(oldest_email),
        ),
        GaugeMetricFamily(
            "live_event_lag_seconds",
            "Age of the oldest event in the event outbox that a running worker has not read yet "
            "(the worker furthest behind; 0 when all caught up), read at each scrape.",
            value=_age_seconds(oldest_event),
        ),
    ]


def _age_seconds(moment: object) -> float:
    """Seconds since a stored timestamp (naive ones are UTC); 0 for none."""
    if not isinstance(moment, datetime):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, time.time() - moment.timestamp())
