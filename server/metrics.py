"""Prometheus metrics on /metrics: operations, errors, live connections, the email outbox.

Each app has its own registry (tests build many apps in one process). With `--workers N`, each
worker answers /metrics with its own numbers; Prometheus scrapes them as separate targets, or
through the proxy, where they add up per worker (docs/operations.md: Observability).
"""

import ipaddress
import re
import time
import weakref
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from events.feed import EventFeed
from events.metrics import LiveMetrics
from models.live import LiveEvent
from models.outbox import OutboxEmail, OutboxStatus
from server.auth import client_address

#: Operation names become label values: only plausible names, and no more than this many
#: distinct ones per process (a client inventing names would otherwise grow the registry forever).
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def parse_networks(
    raw: Iterable[str],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in raw if item.strip())


#: What each of the live layer's counters (events/metrics.py) means on /metrics.
LIVE_HELP = {
    "events_read_total": "Rows read from the event outbox and handed to this process's subscribers.",
    "batches_read_total": "Batches read from the event outbox.",
    "subscribers_lagging_total": "Subscribers that fell behind and were told SUBSCRIPTION_LAGGING.",
    "events_dropped_total": "Events not delivered to a lagging subscriber (told to refetch instead).",
    "sockets_revoked_total": "WebSockets closed with 4403 because their token or user changed.",
    "gaps_given_up_total": "Event outbox ids given up after waiting for them (rolled back).",
    "wakeups_failed_total": "Redis wake-ups that could not be published (others poll instead).",
}


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
        self.registry = CollectorRegistry()
        if live is not None:
            self.registry.register(LiveCollector(live))
        self.feed = feed
        self.event_lag = Gauge(
            "live_event_lag_seconds",
            "Age of the oldest event in the event outbox this process has not read yet (0 when "
            "caught up), read at each scrape.",
            registry=self.registry,
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
        )
        self._handlers: weakref.WeakSet[Any] = weakref.WeakSet()
        Gauge(
            "graphql_subscriptions",
            "Active subscriptions over all open WebSocket connections.",
            registry=self.registry,
        ).set_function(self._active_subscriptions)
        self.outbox_pending = Gauge(
            "outbox_pending_emails",
            "Emails in the outbox not yet sent (PENDING), read at each scrape.",
            registry=self.registry,
        )
        self.outbox_oldest_age = Gauge(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest PENDING email in the outbox (0 when none), read at each scrape.",
            registry=self.registry,
        )
        self._names: set[str] = set()

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
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def _age_seconds(moment: object) -> float:
    """Seconds since a stored timestamp (naive ones are UTC); 0 for none."""
    if not isinstance(moment, datetime):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, time.time() - moment.timestamp())
