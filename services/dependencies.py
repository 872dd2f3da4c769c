"""What the use cases need from the outside world, built once by the server and handed in."""

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.clock import Clock
from domain.documents import MAX_DOCUMENT_BYTES_DEFAULT
from domain.policy import RequestRules
from events.bus import EventBus
from events.messages import StatusChanged
from notifications.config import MailConfig
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


@dataclass
class AfterCommit:
    """Events a use case collects inside its transaction, to publish only once it has committed."""

    events: list[StatusChanged] = field(default_factory=list)

    def add(self, event: StatusChanged) -> None:
        self.events.append(event)

    async def publish(self, deps: "Dependencies") -> None:
        """Run once the transaction has committed: announce the events, wake the outbox."""
        for event in self.events:
            await deps.bus.publish(event)
        deps.wake_outbox()
