"""Counters of the live layer (every name is a monotonically increasing counter unless it ends in
`_now`). Each is a plain integer, read by `snapshot()`, and is mirrored in a prometheus-client
`Counter` named `live_<name>`: with PROMETHEUS_MULTIPROC_DIR set (`certs serve --workers N`), that
counter is what writes the value to this process's file, so /metrics adds up every worker's.

Also where the event feed has read up to (`read_up_to`): /metrics measures the event lag from the
position of the worker furthest behind (server/metrics.py)."""

from typing import ClassVar

from prometheus_client import Counter, Gauge

#: What each counter means (also the HELP text on /metrics).
LIVE_HELP = {
    "events_read_total": "Rows read from the event outbox and handed to this process's subscribers.",
    "batches_read_total": "Batches read from the event outbox.",
    "subscribers_lagging_total": "Subscribers that fell behind and were told SUBSCRIPTION_LAGGING.",
    "events_dropped_total": "Events not delivered to a lagging subscriber (told to refetch instead).",
    "sockets_revoked_total": "WebSockets closed with 4403 because their token or user changed.",
    "gaps_given_up_total": "Event outbox ids given up after waiting for them (rolled back).",
    "wakeups_failed_total": "Redis wake-ups that could not be published (others poll instead).",
}


#: The event feed's position, in the multiprocess files only (not a metric of /metrics).
READ_POSITION = "live_event_read_position"


class LiveMetrics:
    """`metrics.events_read_total += n` counts; assigning a smaller value is refused."""

    NAMES: ClassVar[tuple[str, ...]] = tuple(LIVE_HELP)

    events_read_total: int
    batches_read_total: int
    subscribers_lagging_total: int
    events_dropped_total: int
    sockets_revoked_total: int
    gaps_given_up_total: int
    wakeups_failed_total: int

    def __init__(self) -> None:
        counters = {
            # Not registered anywhere: single-process /metrics reads `snapshot()`; in multiprocess
            # mode the values reach /metrics through their files.
            name: Counter(f"live_{name.removesuffix('_total')}", LIVE_HELP[name], registry=None)
            for name in self.NAMES
        }
        object.__setattr__(self, "_counters", counters)
        object.__setattr__(self, "_position", None)
        for name in self.NAMES:
            object.__setattr__(self, name, 0)

    def __setattr__(self, name: str, value: int) -> None:
        if name not in self.NAMES:
            raise AttributeError(name)
        delta = value - int(getattr(self, name))
        if delta < 0:
            raise ValueError(f"{name} only grows")
        object.__setattr__(self, name, value)
        if delta:
            self._counters[name].inc(delta)

    _counters: dict[str, Counter]
    _position: Gauge | None

    def read_up_to(self, position: int) -> None:
        """The event feed has read the outbox up to id `position` (its cursor's high mark).

        With PROMETHEUS_MULTIPROC_DIR set the value goes to this process's file, and the lowest
        over the running workers (`livemin`) is the position /metrics measures the lag from. The
        gauge is made at the first call, in a process with a feed only: in that mode a gauge
        writes its first value (0) to the file when made, and a 0 from a process that reads no
        events (the workers' parent, a CLI command) would stand for a worker that read nothing.
        """
        gauge = self._position
        if gauge is None:
            gauge = Gauge(
                READ_POSITION,
                "Highest event outbox id this process has read.",
                registry=None,
                multiprocess_mode="livemin",
            )
            object.__setattr__(self, "_position", gauge)
        gauge.set(position)

    def snapshot(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in self.NAMES}


#: The process's counters.
metrics = LiveMetrics()
