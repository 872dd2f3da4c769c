"""For cron, or with the servers' own workers turned off: `certs outbox deliver` sends what is
due, `certs jobs run` runs the expiry and reminders job once."""

import argparse
import asyncio
from dataclasses import asdict

from domain.clock import SystemClock
from events.redis_wakeups import wake_servers
from notifications.transports import transport_from_settings
from notifications.webhook_delivery import deliver_webhooks_until_idle
from notifications.webhook_http import WebhookSender
from notifications.worker import deliver_until_idle
from server.commands.common import emit, with_database
from server.dependencies import build_dependencies, webhook_delivery_settings
from server.settings import Settings
from services.document_sweep import sweep_unreferenced_documents
from services.expire_and_remind import run_daily_job


def cmd_outbox_deliver(settings: Settings, args: argparse.Namespace) -> int:
    """Deliver every due email, then exit: for cron, or with OUTBOX_WORKER=false on the servers."""

    async def work() -> int:
        report = await deliver_until_idle(transport_from_settings(settings), SystemClock())
        sender = WebhookSender(
            allow_local=settings.webhook_allow_local,
            timeout_seconds=settings.webhook_timeout_seconds,
        )
        try:
            hooks = await deliver_webhooks_until_idle(
                sender, SystemClock(), webhook_delivery_settings(settings)
            )
        finally:
            await sender.aclose()
        emit({**asdict(report), "webhooks": asdict(hooks)})
        return 0 if report.transport_error is None else 1

    return asyncio.run(with_database(settings, work))


def cmd_jobs_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the expiry and reminders job once and print its report: for cron, or with
    JOBS_SCHEDULER=false on the servers. Its emails are delivered by the servers' outbox worker,
    or by `certs outbox deliver`."""

    async def work() -> int:
        deps = build_dependencies(settings)
        try:
            report = await run_daily_job(
                deps, deps.clock.now(), reminder_days=settings.reminder_days
            )
            removed = await sweep_unreferenced_documents(
                deps, older_than_seconds=settings.orphan_file_age_hours * 3600
            )
        finally:
            await deps.bus.stop()
        # The servers deliver its changes now rather than at their next poll.
        await wake_servers(settings.redis_url, settings.redis_channel_prefix)
        emit({**report.as_dict(), "unreferenced_files_removed": removed})
        return 0 if report.failed == 0 else 1

    return asyncio.run(with_database(settings, work))
