"""Counters of the live layer, plain integers for whoever exports them (a Prometheus collector
reads `snapshot()`; every name is a monotonically increasing counter unless it ends in `_now`)."""

from dataclasses import asdict, dataclass


@dataclass
class LiveMetrics:
    #: Rows read from the event outbox and handed to this process's subscribers.
    events_read_total: int = 0
    #: Batches read (one query for the rows, one per kind of change for their rows).
    batches_read_total: int = 0
    #: Subscribers that fell behind and were told SUBSCRIPTION_LAGGING (then completed).
    subscribers_lagging_total: int = 0
    #: Events not delivered to a lagging subscriber (the client was told to refetch instead).
    events_dropped_total: int = 0
    #: Sockets closed with 4403 because their token or user changed.
    sockets_revoked_total: int = 0
    #: Outbox ids given up after waiting for them (a rolled-back transaction leaves its id unused).
    gaps_given_up_total: int = 0
    #: Redis wake-ups that could not be published (the others learn it by polling instead).
    wakeups_failed_total: int = 0

    def snapshot(self) -> dict[str, int]:
        return asdict(self)


#: The process's counters.
metrics = LiveMetrics()
