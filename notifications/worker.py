"""Delivering the outbox: claim due rows, send each one, mark it, retry failures with backoff.

Guarantees, and their limits:

- **Nothing is lost.** A row leaves PENDING only when the transport accepted the message
  (SENT) or after `max_attempts` refusals (FAILED, with the server's last answer kept on the
  row for an operator, who can retry it). A mail server that cannot be reached at all does
  not spend attempts: the rows stay pending, with the error noted, until it is back.
- **One worker per row.** On PostgreSQL each message is sent inside a short transaction that
  holds its row with `SELECT ... FOR UPDATE SKIP LOCKED`: concurrent workers (several server
  processes, or `certs outbox deliver` next to a server) skip rows another worker holds, so no
  two of them send the same row. SQLite has no row locks; there a worker first claims the row
  with a conditional UPDATE that pushes `next_attempt_at` forward by `CLAIM_LEASE` (SQLite
  serializes writes, so only one claimant wins), then sends and marks it. SQLite is meant for
  one worker; the claim only keeps an accidental second one (`certs serve --workers 2`, or the
  CLI beside the server) from sending a row twice, as long as a send takes less than the lease.
- **At least once, with a minimal window.** The mark is written right after the server
  accepts the message (on PostgreSQL in the same short transaction that holds the row). If
  the process dies, or the database fails, after the server accepted the message but before
  that write, the row is still PENDING (on PostgreSQL the transaction rolls back and the lock
  goes with the connection; on SQLite the claim expires after `CLAIM_LEASE`) and the message is
  sent again: the recipient may get it twice. Exactly-once is impossible across two systems
  that share no transaction; this window is a few milliseconds per message, and the repeated
  message has the same `Message-ID` and `Date`, so clients that deduplicate by Message-ID show
  it once. `OutboxWorker.stop` lets the current batch finish (up to `stop_timeout`) rather than
  cancelling a send halfway, so an orderly shutdown does not open this window.

Backoff: after the n-th failed attempt the row waits `30 s * 2**(n-1)`, capped at one hour;
after `MAX_ATTEMPTS` (8: about an hour between the first and the last) it is FAILED.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain.clock import Clock
from models.outbox import OutboxEmail, OutboxStatus
from notifications.background import BackgroundRounds
from notifications.message import build_message
from notifications.transports import (
    ConnectionLost,
    MailSession,
    MessageRejected,
    Transport,
    TransportUnavailable,
    describe_error,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
DEFAULT_BATCH_SIZE = 50
CLAIM_LEASE = timedelta(minutes=10)
LAST_ERROR_MAX_CHARS = 2000


def retry_delay(failed_attempts: int) -> timedelta:
    """How long a row waits after its `failed_attempts`-th failure (1 -> 30 s, 2 -> 60 s, ...)."""
    exponent = max(failed_attempts - 1, 0)
    if exponent >= 20:  # far past the cap; avoids huge integers
        return BACKOFF_CAP
    return min(BACKOFF_BASE * (1 << exponent), BACKOFF_CAP)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    transport_error: str | None = None

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed

    def add(self, other: "DeliveryReport") -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        if other.transport_error is not None:
            self.transport_error = other.transport_error


@dataclass(frozen=True)
class _Outcome:
    sent: bool
    gave_up: bool = False
    connection_lost: bool = False
    lost_claim: bool = False  # SQLite: another worker claimed the row first


def due_emails(now: datetime) -> QuerySet[OutboxEmail]:
    """PENDING rows whose time has come (a NULL `next_attempt_at` means at once)."""
    return OutboxEmail.filter(
        Q(status=OutboxStatus.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )


def _clip(text: str) -> str:
    return text if len(text) <= LAST_ERROR_MAX_CHARS else text[: LAST_ERROR_MAX_CHARS - 1] + "…"


async def _mark_sent(email: OutboxEmail, now: datetime) -> None:
    email.status = OutboxStatus.SENT
    email.sent_at = now
    email.last_attempt_at = now
    email.attempts += 1
    email.next_attempt_at = None
    await email.save(
        update_fields=["status", "sent_at", "last_attempt_at", "attempts", "next_attempt_at"]
    )


async def _mark_failure(email: OutboxEmail, error: str, now: datetime, max_attempts: int) -> bool:
    """Count one failed attempt; returns whether the row is now FAILED for good."""
    email.attempts += 1
    email.last_attempt_at = now
    email.last_error = _clip(error)
    gave_up = email.attempts >= max_attempts
    if gave_up:
        email.status = OutboxStatus.FAILED
        email.next_attempt_at = None
    else:
        email.next_attempt_at = now + retry_delay(email.attempts)
    await email.save(
        update_fields=["attempts", "last_attempt_at", "last_error", "status", "next_attempt_at"]
    )
    return gave_up


async def _send_and_mark(
    session: MailSession, email: OutboxEmail, now: datetime, max_attempts: int
) -> _Outcome:
    error: str
    connection_lost = False
    attempts_allowed = max_attempts
    try:
        await session.send(build_message(email))
    except MessageRejected as exc:
        error = str(exc)
        if exc.permanent:
            attempts_allowed = email.attempts + 1  # a 5xx answer: retrying cannot help
    except ConnectionLost as exc:
        error = str(exc)
        connection_lost = True
    except TransportUnavailable:
        raise  # nothing was sent: leave the row untouched (rolls back its claim on PostgreSQL)
    except Exception as exc:  # a bug or a bad row must not block the rest of the outbox
        logger.exception("outbox: unexpected error sending %s", email.event_key)
        error = describe_error(exc)
    else:
        await _mark_sent(email, now)
        return _Outcome(sent=True)
    gave_up = await _mark_failure(email, error, now, attempts_allowed)
    log = logger.error if gave_up else logger.warning
    log(
        "outbox: %s to %s failed (attempt %d of %d%s): %s",
        email.event_key,
        email.to_email,
        email.attempts,
        max_attempts,
        ", giving up" if gave_up else "",
        error,
    )
    return _Outcome(sent=False, gave_up=gave_up, connection_lost=connection_lost)


async def _deliver_next(
    session: MailSession, now: datetime, max_attempts: int, row_locks: bool
) -> _Outcome | None:
    """Send the oldest due row that no other worker holds; None when there is none."""
    if row_locks:
        async with in_transaction():
            email = await due_emails(now).order_by("id").select_for_update(skip_locked=True).first()
            if email is None:
                return None
            return await _send_and_mark(session, email, now, max_attempts)
    email = await due_emails(now).order_by("id").first()
    if email is None:
        return None
    claimed = await due_emails(now).filter(id=email.id).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return _Outcome(sent=False, lost_claim=True)
    try:
        return await _send_and_mark(session, email, now, max_attempts)
    except TransportUnavailable:
        # Nothing was sent: give the claim back so the row is due again at once.
        await OutboxEmail.filter(id=email.id, status=OutboxStatus.PENDING).update(
            next_attempt_at=email.next_attempt_at
        )
        raise


async def _note_unavailable(error: str, now: datetime, batch_size: int) -> None:
    """Write why the oldest due rows are waiting, without spending their attempts."""
    ids = await due_emails(now).order_by("id").limit(batch_size).values_list("id", flat=True)
    if ids:
        await OutboxEmail.filter(id__in=list(ids), status=OutboxStatus.PENDING).update(
            last_error=_clip(f"Servidor de correo no disponible: {error}"), last_attempt_at=now
        )


async def deliver_pending(
    transport: Transport,
    *,
    now: datetime,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_attempts: int = MAX_ATTEMPTS,
) -> DeliveryReport:
    """Send up to `batch_size` due rows through one transport session; see the module docs."""
    report = DeliveryReport()
    if batch_size <= 0 or not await due_emails(now).exists():
        return report
    row_locks = OutboxEmail._meta.db.capabilities.support_for_update
    try:
        async with transport.session() as session:
            for _ in range(batch_size):
                outcome = await _deliver_next(session, now, max_attempts, row_locks)
                if outcome is None:
                    break
                if outcome.lost_claim:
                    continue
                if outcome.sent:
                    report.sent += 1
                elif outcome.gave_up:
                    report.failed += 1
                else:
                    report.retrying += 1
                if outcome.connection_lost:
                    report.transport_error = "la conexión con el servidor de correo se perdió"
                    break
    except TransportUnavailable as exc:
        report.transport_error = str(exc)
        logger.warning("outbox: %s unavailable: %s", transport.description, exc)
        await _note_unavailable(str(exc), now, batch_size)
    return report


async def deliver_until_idle(
    transport: Transport,
    clock: Clock,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_attempts: int = MAX_ATTEMPTS,
) -> DeliveryReport:
    """Deliver batch after batch until nothing is due (for `certs outbox deliver`).

    Stops at the first batch that sends nothing new or cannot reach the server; rows waiting
    for a retry later stay for the next run.
    """
    total = DeliveryReport()
    while True:
        report = await deliver_pending(
            transport, now=clock.now(), batch_size=batch_size, max_attempts=max_attempts
        )
        total.add(report)
        if report.transport_error is not None or report.attempted < batch_size:
            return total


class OutboxWorker(BackgroundRounds):
    """Runs `deliver_pending` in a loop in the background of the server (or of the CLI).

    Every `interval` seconds, or at once after `wake()`, or right away again while full batches
    keep coming. An exception is logged and the loop goes on. While the mail server is
    unreachable the pause doubles, up to `max_interval`, so a long outage is not hammered.
    """

    def __init__(
        self,
        transport: Transport,
        clock: Clock,
        *,
        interval: float = 5.0,
        max_interval: float = 60.0,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_attempts: int = MAX_ATTEMPTS,
        stop_timeout: float = 30.0,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        super().__init__(task_name="outbox-worker", stop_timeout=stop_timeout)
        self.transport = transport
        self.clock = clock
        self.interval = interval
        self.max_interval = max(max_interval, interval)
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.rounds = 0
        self.last_report: DeliveryReport | None = None

    def start(self) -> None:
        if self._start(self._run()):
            logger.info("outbox worker started, delivering to %s", self.transport.description)

    async def stop(self) -> None:
        """Finish the current batch (up to `stop_timeout` seconds), then stop."""
        if await self._stop():
            logger.info("outbox worker stopped")

    async def run_once(self) -> DeliveryReport:
        report = await deliver_pending(
            self.transport,
            now=self.clock.now(),
            batch_size=self.batch_size,
            max_attempts=self.max_attempts,
        )
        self.rounds += 1
        self.last_report = report
        if report.sent:
            logger.info("outbox: sent %d email(s)", report.sent)
        return report

    async def _run(self) -> None:
        pause = self.interval
        while not self._stopping.is_set():
            full_batch = False
            self._wake.clear()  # a wake() during this round makes the next one start at once
            try:
                report = await self.run_once()
            except Exception:
                logger.exception("outbox worker: delivery round failed; will try again")
                pause = min(pause * 2, self.max_interval)
            else:
                if report.transport_error is not None:
                    pause = min(pause * 2, self.max_interval)
                else:
                    pause = self.interval
                    full_batch = report.attempted >= self.batch_size
            if full_batch:
                await asyncio.sleep(0)  # let others run, then go on with the backlog
                continue
            await self._pause(pause)
