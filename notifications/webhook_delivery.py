"""Delivering webhooks: claim a due delivery, POST it signed, mark it, retry failures with backoff.

Guarantees, and their limits (docs/integrations.md says the same to receivers):

- **Nothing is lost.** A delivery leaves PENDING only when the receiver answered 2xx
  (SUCCEEDED) or after 24 hours of failed attempts (FAILED, with the last answer kept for an
  operator, who can redeliver it).
- **In order per subject.** A delivery waits while an older delivery of the same request (or
  certificate) to the same endpoint is still pending, so a receiver that was down gets each
  request's events in the order they happened once it is back.
- **One worker per delivery.** As for the emails (`notifications.worker`): on PostgreSQL the
  request is sent inside a short transaction holding the row with `FOR UPDATE SKIP LOCKED`; on
  SQLite the worker first claims the row with a conditional UPDATE that pushes
  `next_attempt_at` forward by `CLAIM_LEASE`.
- **At least once.** If the worker dies after the receiver answered but before the mark is
  written, the delivery is attempted again (at once on PostgreSQL, after the lease on SQLite):
  the receiver may get the same event twice, with the same `id` (and `Certificados-Event-Id`
  header), by which it drops the repeat. Never more than that one repeat per death of a worker.

Retries: after the n-th failure the delivery waits `30 s * 2**(n-1)` capped at one hour, half
of it spread at random (jitter), for 24 hours from the first attempt. A failure is any answer
but 2xx (redirects are not followed), a timeout, a refused connection, or a URL that resolves
to an address it may not call. After `disable_after` consecutive failures of an endpoint (over
all its deliveries), the endpoint is disabled and the operator address is emailed.
"""

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain.clock import Clock
from domain.webhooks import (
    DEFAULT_DISABLE_AFTER_FAILURES,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    gives_up,
    retry_delay,
    signature_header,
)
from models.outbox import EmailKind, OutboxEmail, OutboxStatus
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEvent
from notifications.background import BackgroundRounds
from notifications.config import MailConfig
from notifications.emails import message_id_for
from notifications.rendering import escape_html, load_template
from notifications.webhook_http import Answer, WebhookSender

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=2)
DEFAULT_BATCH_SIZE = 50
RESPONSE_MAX_CHARS = 1000


@dataclass
class WebhookReport:
    succeeded: int = 0
    retrying: int = 0
    failed: int = 0
    disabled_endpoints: int = 0

    @property
    def attempted(self) -> int:
        return self.succeeded + self.retrying + self.failed

    def add(self, other: "WebhookReport") -> None:
        self.succeeded += other.succeeded
        self.retrying += other.retrying
        self.failed += other.failed
        self.disabled_endpoints += other.disabled_endpoints


@dataclass(frozen=True)
class DeliverySettings:
    disable_after: int = DEFAULT_DISABLE_AFTER_FAILURES
    #: Who hears about a disabled endpoint; None: only the log.
    operator_email: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    draw: Callable[[], float] = random.random
    #: The sender and the portal address of the operators' email.
    mail: MailConfig = field(default_factory=MailConfig)


def due_deliveries(now: datetime) -> QuerySet[WebhookDelivery]:
    """PENDING deliveries whose time has come, to endpoints that are enabled."""
    return WebhookDelivery.filter(
        Q(status=WebhookDeliveryStatus.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & Q(endpoint__enabled=True)
    )


async def _blocked(delivery: WebhookDelivery) -> bool:
    """Whether an older delivery of the same subject to the same endpoint is still pending."""
    return await WebhookDelivery.exists(
        endpoint_id=delivery.endpoint_id,
        ordering_key=delivery.ordering_key,
        status=WebhookDeliveryStatus.PENDING,
        id__lt=delivery.id,
    )


def _clip(text: str) -> str:
    return text if len(text) <= RESPONSE_MAX_CHARS else text[: RESPONSE_MAX_CHARS - 1] + "…"


async def _send(
    sender: WebhookSender, delivery: WebhookDelivery, now: datetime
) -> tuple[WebhookEndpoint, Answer]:
    endpoint = await WebhookEndpoint.get(id=delivery.endpoint_id)
    event = await WebhookEvent.get(id=delivery.event_id)
    body = event.body.encode()
    timestamp = int(now.timestamp())
    headers = {
        SIGNATURE_HEADER: signature_header(endpoint.secret, timestamp, body),
        EVENT_ID_HEADER: event.event_id,
    }
    answer = await sender.post(endpoint.url, body, headers)
    return endpoint, answer


async def _mark(
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    answer: Answer,
    now: datetime,
    settings: DeliverySettings,
    report: WebhookReport,
) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.last_status_code = answer.status_code
    delivery.last_response = _clip(answer.response)
    delivery.last_latency_ms = answer.latency_ms
    if answer.ok:
        delivery.status = WebhookDeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        report.succeeded += 1
        if endpoint.consecutive_failures:
            await WebhookEndpoint.filter(id=endpoint.id).update(consecutive_failures=0)
    else:
        if gives_up(delivery.first_attempt_at, now):
            delivery.status = WebhookDeliveryStatus.FAILED
            delivery.next_attempt_at = None
            report.failed += 1
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts, settings.draw())
            report.retrying += 1
        await WebhookEndpoint.filter(id=endpoint.id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        await endpoint.refresh_from_db(fields=["consecutive_failures", "enabled"])
        if endpoint.enabled and endpoint.consecutive_failures >= settings.disable_after:
            await _disable(endpoint, delivery, answer, now, settings)
            report.disabled_endpoints += 1
        logger.warning(
            "webhook: delivery %s to %s failed (attempt %d): %s",
            delivery.id,
            endpoint.url,
            delivery.attempts,
            answer.status_code or answer.response,
        )
    await delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "first_attempt_at",
            "last_status_code",
            "last_response",
            "last_latency_ms",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )


async def _disable(
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    answer: Answer,
    now: datetime,
    settings: DeliverySettings,
) -> None:
    """Disable the endpoint and queue the operator's email, in the caller's transaction."""
    failures = endpoint.consecutive_failures
    endpoint.enabled = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = (
        f"{failures} fallos seguidos; el último: "
        + (f"HTTP {answer.status_code}" if answer.status_code else answer.response)[:200]
    )
    await endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason"])
    logger.error(
        "webhook: endpoint %s (%s) disabled: %s",
        endpoint.id,
        endpoint.url,
        endpoint.disabled_reason,
    )
    if settings.operator_email is None:
        return
    config = settings.mail
    values = {
        "url": endpoint.url,
        "endpoint_id": str(endpoint.id),
        "failures": str(failures),
        "reason": endpoint.disabled_reason,
        "portal_url": config.public_base_url,
    }
    subject = load_template("webhook_endpoint_disabled.subject.txt").substitute(values).strip()
    text = load_template("webhook_endpoint_disabled.txt").substitute(values)
    html = load_template("webhook_endpoint_disabled.html").substitute(
        {key: escape_html(value) for key, value in values.items()}
    )
    event_key = f"webhook-endpoint:{endpoint.id}:disabled:{int(now.timestamp())}"
    event = await WebhookEvent.get(id=delivery.event_id).only("id", "company_id")
    row = OutboxEmail(
        event_key=event_key,
        kind=EmailKind.WEBHOOK_ENDPOINT_DISABLED,
        # The company whose event failed last; the email itself goes to the operators.
        company_id=event.company_id,
        mail_from=config.mail_from,
        to_name="Operación",
        to_email=settings.operator_email,
        message_id=message_id_for(event_key, config),
        subject=subject,
        body_text=text,
        body_html=html,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
    )
    await OutboxEmail.bulk_create([row], ignore_conflicts=True)


async def _deliver_one(
    sender: WebhookSender,
    candidate: WebhookDelivery,
    now: datetime,
    settings: DeliverySettings,
    row_locks: bool,
    report: WebhookReport,
) -> bool:
    """Attempt one candidate; False when another worker holds it or it must wait its turn."""
    if await _blocked(candidate):
        return False
    if row_locks:
        async with in_transaction():
            delivery = (
                await due_deliveries(now)
                .filter(id=candidate.id)
                .select_for_update(skip_locked=True)
                .first()
            )
            if delivery is None:
                return False
            endpoint, answer = await _send(sender, delivery, now)
            await _mark(delivery, endpoint, answer, now, settings, report)
            return True
    claimed = (
        await due_deliveries(now).filter(id=candidate.id).update(next_attempt_at=now + CLAIM_LEASE)
    )
    if not claimed:
        return False
    delivery = await WebhookDelivery.get(id=candidate.id)
    endpoint, answer = await _send(sender, delivery, now)
    async with in_transaction():
        await _mark(delivery, endpoint, answer, now, settings, report)
    return True


async def deliver_webhooks(
    sender: WebhookSender, *, now: datetime, settings: DeliverySettings | None = None
) -> WebhookReport:
    """Attempt up to `batch_size` due deliveries, oldest first; see the module docs."""
    settings = settings or DeliverySettings()
    report = WebhookReport()
    candidates = await due_deliveries(now).order_by("id").limit(settings.batch_size * 4)
    row_locks = WebhookDelivery._meta.db.capabilities.support_for_update
    busy: set[tuple[int, str]] = set()
    for candidate in candidates:
        if report.attempted >= settings.batch_size:
            break
        key = (candidate.endpoint_id, candidate.ordering_key)
        if key in busy:
            continue  # an older one of the same subject was just attempted or is waiting
        busy.add(key)
        try:
            await _deliver_one(sender, candidate, now, settings, row_locks, report)
        except Exception:  # a bug or a bad row must not block the rest
            logger.exception("webhook: delivery %s failed unexpectedly", candidate.id)
    return report


async def deliver_webhooks_until_idle(
    sender: WebhookSender, clock: Clock, settings: DeliverySettings | None = None
) -> WebhookReport:
    """Deliver round after round until a round attempts nothing (for `certs outbox deliver`)."""
    total = WebhookReport()
    while True:
        report = await deliver_webhooks(sender, now=clock.now(), settings=settings)
        total.add(report)
        if report.attempted == 0 or report.succeeded == 0:
            return total


class WebhookWorker(BackgroundRounds):
    """Runs `deliver_webhooks` in the background of the server, like the email worker."""

    def __init__(
        self,
        sender: WebhookSender,
        clock: Clock,
        settings: DeliverySettings | None = None,
        *,
        interval: float = 2.0,
        stop_timeout: float = 30.0,
    ) -> None:
        super().__init__(task_name="webhook-worker", stop_timeout=stop_timeout)
        self.sender = sender
        self.clock = clock
        self.settings = settings or DeliverySettings()
        self.interval = interval

    def start(self) -> None:
        self._start(self._run())

    async def stop(self) -> None:
        """Finish the current round (up to `stop_timeout` seconds), then stop."""
        if await self._stop():
            await self.sender.aclose()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            busy = False
            try:
                report = await deliver_webhooks(
                    self.sender, now=self.clock.now(), settings=self.settings
                )
                busy = report.succeeded > 0
            except Exception:
                logger.exception("webhook worker: delivery round failed; will try again")
            if busy:
                await asyncio.sleep(0)
                continue
            await self._pause(self.interval)
