"""What the use cases need from the outside world, built once by the server and handed in."""

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.clock import Clock
from domain.documents import MAX_DOCUMENT_BYTES_DEFAULT
from domain.policy import RequestRules
from domain.reminder_settings import ReminderChannel
from domain.reminders import DEFAULT_REMINDER_DAYS
from domain.renewal_window import DEFAULT_RENEWAL_WINDOW_END_DAYS
from events.bus import EventBus
from events.messages import StatusChanged
from notifications.config import MailConfig
from services.webhooks_policy import WebhookPolicy
from storage.documents import DocumentStore


def _nothing() -> None:
    return None


@dataclass
class Dependencies:
    clock: Clock
    documents: DocumentStore
    bus: EventBus
    max_document_bytes: int = MAX_DOCUMENT_BYTES_DEFAULT
    #: Bytes of documents one company may keep (COMPANY_STORAGE_QUOTA_BYTES).
    company_storage_quota_bytes: int = 200 * 1024 * 1024
    #: The sender and public base URL of every email the use cases queue.
    mail: MailConfig = field(default_factory=MailConfig)
    #: The tunable numbers of the rules (validity bounds, automatic withdrawal).
    rules: RequestRules = field(default_factory=RequestRules)
    #: Called after a commit that may have queued emails, so the delivery worker sends them now.
    wake_outbox: Callable[[], None] = _nothing
    #: Who may register webhooks, and which URLs (WEBHOOK_* settings).
    webhooks: WebhookPolicy = field(default_factory=WebhookPolicy)
    #: Days before expiry at which the suggested renewal window ends (RENEWAL_WINDOW_END_DAYS).
    renewal_window_end_days: int = DEFAULT_RENEWAL_WINDOW_END_DAYS
    #: How a company that changed nothing hears about expiry (REMINDER_CHANNEL).
    reminder_channel: ReminderChannel = ReminderChannel.BOTH
    #: Days before expiry of the default reminders (REMINDER_DAYS).
    reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS


@dataclass
class AfterCommit:
    """Events a use case collects inside its transaction (each already written to the event
    outbox, `services.live_events`), to announce only once it has committed."""

    events: list[StatusChanged] = field(default_factory=list)

    def add(self, event: StatusChanged) -> None:
        self.events.append(event)

    async def publish(self, deps: "Dependencies") -> None:
        """Run once the transaction has committed: wake the event feeds (never waiting on Redis,
        `events.live_bus`) and the email outbox."""
        for event in self.events:
            await deps.bus.publish(event)
        deps.wake_outbox()
