"""The event feed of one serving process: it reads the event outbox (`models.live.LiveEvent`) in
id order and hands every committed change to this process's subscribers, once.

- **Woken, and polling.** `wake()` (after a local commit, or when Redis says another process
  committed) makes it read at once; otherwise it reads every `poll_interval` seconds, so events
  committed while Redis is down, or by a process without Redis (`certs jobs run` from cron), are
  delivered all the same, in order, once.
- **In batches.** One query reads up to `batch_size` rows; their history rows and their
  subjects' companies take one query per kind of change, however many events there are.
- **Once, whatever the commit order.** Ids are handed out at insert and transactions commit in
  any order (PostgreSQL), so an id above the ones read may still be missing: its transaction is in
  flight. `Cursor` remembers such gaps and reads them again until they show up or `gap_timeout`
  passes (a rolled-back transaction leaves its id unused for ever). A change's events keep their
  order: the use cases lock the request or certificate before they insert its row.
- **Authorised from the database.** The company of an event is its subject's, read now; each
  subscriber then checks it against its own principal (`resolvers.status_events`).
- **Principal changes first.** A `PRINCIPAL` row (a token revoked, a user deactivated or moved)
  is handled before any event read after it is delivered: the user's sockets are closed and
  receive nothing more.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from events.messages import StatusChanged
from events.metrics import metrics
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    LiveEvent,
    LiveEventKind,
    RequestStatusChange,
)

logger = logging.getLogger(__name__)

#: Outbox rows are kept this long, then pruned (every process may prune; it is idempotent).
RETENTION_SECONDS = 3600.0
PRUNE_EVERY_SECONDS = 300.0
#: Gaps tracked at most; a larger jump of ids (a sequence reset) is not waited for.
MAX_GAPS = 10_000


class Cursor:
    """Which outbox ids this process has handled: every id up to `high`, except the `gaps`
    (ids not seen yet, each with the time it was first missed)."""

    def __init__(self, high: int, gap_timeout: float) -> None:
        self.high = high
        self.gap_timeout = gap_timeout
        self.gaps: dict[int, float] = {}

    def take(self, ids: Iterable[int], now: float) -> list[int]:
        """The ids among `ids` not handled before, in order; remembers them and any new gap."""
        new: list[int] = []
        for id_ in sorted(set(ids)):
            if id_ in self.gaps:
                del self.gaps[id_]
                new.append(id_)
            elif id_ > self.high:
                if id_ - self.high - 1 + len(self.gaps) <= MAX_GAPS:
                    for missing in range(self.high + 1, id_):
                        self.gaps[missing] = now
                self.high = id_
                new.append(id_)
        return new

    def snapshot(self) -> tuple[int, dict[int, float]]:
        return self.high, dict(self.gaps)

    def restore(self, state: tuple[int, dict[int, float]]) -> None:
        self.high, self.gaps = state[0], dict(state[1])

    def give_up(self, now: float) -> list[int]:
        """Forget the gaps waited for longer than `gap_timeout`; returns them."""
        expired = [id_ for id_, since in self.gaps.items() if now - since >= self.gap_timeout]
        for id_ in expired:
            del self.gaps[id_]
        return expired


class EventFeed:
    def __init__(
        self,
        deliver: Callable[[StatusChanged], None],
        on_principals: Callable[[set[int]], Awaitable[None]],
        *,
        poll_interval: float = 1.0,
        batch_size: int = 500,
        gap_timeout: float = 10.0,
    ) -> None:
        self._deliver = deliver
        self._on_principals = on_principals
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.cursor = Cursor(0, gap_timeout)
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_prune = 0.0

    def wake(self) -> None:
        self._wakeup.set()

    async def start(self) -> None:
        """From the last committed id on: what was committed before has no subscriber here."""
        if self._task is not None:
            return
        await self.seek_to_end()
        self._task = asyncio.create_task(self._run(), name="event-feed")

    async def seek_to_end(self) -> None:
        """Skip what is already committed: events from now on (`start` does this first)."""
        self.cursor.high = await _last_id()
        metrics.read_up_to(self.cursor.high)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)
            self._wakeup.clear()
            try:
                await self.catch_up()
                if loop.time() >= self._next_prune:
                    self._next_prune = loop.time() + PRUNE_EVERY_SECONDS
                    await _prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The database is unreachable, or a bug: retry at the next poll, never stop.
                logger.exception("event feed: reading the event outbox failed; retrying")

    async def catch_up(self) -> int:
        """Read and deliver everything committed and not handled yet; returns how many."""
        loop = asyncio.get_running_loop()
        handled = 0
        while True:
            query = LiveEvent.filter(id__gt=self.cursor.high).order_by("id").limit(self.batch_size)
            rows = list(await query)
            if self.cursor.gaps:
                rows += await LiveEvent.filter(id__in=list(self.cursor.gaps))
            before = self.cursor.snapshot()
            fresh = set(self.cursor.take((row.id for row in rows), loop.time()))
            given_up = self.cursor.give_up(loop.time())
            metrics.gaps_given_up_total += len(given_up)
            batch = sorted((row for row in rows if row.id in fresh), key=lambda row: row.id)
            if batch:
                metrics.batches_read_total += 1
                metrics.events_read_total += len(batch)
                try:
                    loaded = await _load_changes(batch)
                except BaseException:
                    self.cursor.restore(before)  # read again at the next attempt, not lost
                    raise
                await self._handle(batch, loaded)
                handled += len(batch)
            metrics.read_up_to(self.cursor.high)
            if len(rows) < self.batch_size:
                return handled

    async def _handle(self, rows: Sequence[LiveEvent], loaded: dict[int, StatusChanged]) -> None:
        for row in rows:
            if row.kind is LiveEventKind.PRINCIPAL:
                await self._on_principals({row.subject_id})
            elif (event := loaded.get(row.id)) is not None:
                self._deliver(event)


async def _last_id() -> int:
    last = await LiveEvent.all().order_by("-id").first().only("id")
    return last.id if last is not None else 0


async def _prune() -> None:
    cutoff = datetime.now(UTC) - timedelta(seconds=RETENTION_SECONDS)
    await LiveEvent.filter(created_at__lt=cutoff).delete()


async def _load_changes(rows: Sequence[LiveEvent]) -> dict[int, StatusChanged]:
    """The events of the status rows among `rows`, by outbox id, each with its history row and
    the company its subject belongs to now. Rows whose change is gone are left out."""
    now = asyncio.get_running_loop().time()
    events: dict[int, StatusChanged] = {}
    request_rows = [r for r in rows if r.kind is LiveEventKind.REQUEST_STATUS and r.change_id]
    if request_rows:
        changes = {
            c.id: c
            for c in await RequestStatusChange.filter(id__in=[r.change_id for r in request_rows])
        }
        owners = dict(
            await CertificateRequest.filter(
                id__in={c.request_id for c in changes.values()}
            ).values_list("id", "company_id")
        )
        for row in request_rows:
            change = changes.get(row.change_id or 0)
            company_id = owners.get(change.request_id) if change is not None else None
            if change is not None and company_id is not None:
                events[row.id] = StatusChanged(
                    "request", change.request_id, company_id, change.id, change, now
                )
    certificate_rows = [
        r for r in rows if r.kind is LiveEventKind.CERTIFICATE_STATUS and r.change_id
    ]
    if certificate_rows:
        cert_changes = {
            c.id: c
            for c in await CertificateStatusChange.filter(
                id__in=[r.change_id for r in certificate_rows]
            )
        }
        cert_owners = dict(
            await Certificate.filter(
                id__in={c.certificate_id for c in cert_changes.values()}
            ).values_list("id", "company_id")
        )
        for row in certificate_rows:
            cert_change = cert_changes.get(row.change_id or 0)
            owner = cert_owners.get(cert_change.certificate_id) if cert_change else None
            if cert_change is not None and owner is not None:
                events[row.id] = StatusChanged(
                    "certificate",
                    cert_change.certificate_id,
                    owner,
                    cert_change.id,
                    cert_change,
                    now,
                )
    return events
