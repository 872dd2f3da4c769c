"""What a process of the service builds from its settings: the use cases' dependencies, the live
bus, the mail and webhook settings. Shared by the ASGI app (server.app) and the CLI's commands,
which need them without importing the GraphQL schema and the web app."""

from domain.clock import Clock, SystemClock
from events.live_bus import LiveBus
from events.redis_wakeups import RedisNotifier
from notifications.config import MailConfig
from notifications.webhook_delivery import DeliverySettings, WebhookWorker
from notifications.webhook_http import WebhookSender
from server.settings import Settings
from services.dependencies import Dependencies
from services.webhooks_policy import WebhookPolicy
from storage.documents import DocumentStore


def build_dependencies(settings: Settings, clock: Clock | None = None) -> Dependencies:
    return Dependencies(
        clock=clock or SystemClock(),
        documents=DocumentStore(settings.documents_dir),
        bus=build_bus(settings),
        max_document_bytes=settings.max_document_bytes,
        company_storage_quota_bytes=settings.company_storage_quota_bytes,
        rules=settings.request_rules,
        mail=mail_config(settings),
        renewal_window_end_days=settings.renewal_window_end_days,
        reminder_channel=settings.reminder_channel,
        reminder_days=settings.reminder_days,
        webhooks=WebhookPolicy(
            allow_local=settings.webhook_allow_local,
            customer_endpoints=settings.webhook_customer_endpoints,
        ),
    )


def mail_config(settings: Settings) -> MailConfig:
    return MailConfig(mail_from=settings.mail_from, public_base_url=settings.public_base_url)


def build_webhook_worker(settings: Settings, clock: Clock) -> WebhookWorker:
    return WebhookWorker(
        WebhookSender(
            allow_local=settings.webhook_allow_local,
            timeout_seconds=settings.webhook_timeout_seconds,
        ),
        clock,
        webhook_delivery_settings(settings),
    )


def webhook_delivery_settings(settings: Settings) -> DeliverySettings:
    return DeliverySettings(
        disable_after=settings.webhook_disable_after_failures,
        operator_email=settings.operator_email,
        mail=mail_config(settings),
    )


def build_bus(settings: Settings) -> LiveBus:
    """Events from the database's event outbox; Redis (REDIS_URL) wakes the other processes up
    at once, without it they poll every LIVE_POLL_SECONDS."""
    notifier = (
        RedisNotifier(settings.redis_url, channel_prefix=settings.redis_channel_prefix)
        if settings.redis_url
        else None
    )
    return LiveBus(
        notifier,
        queue_size=settings.subscription_queue_size,
        max_lag_seconds=settings.subscription_max_lag_seconds,
        poll_interval=settings.live_poll_seconds,
    )
