"""0003 adds the reminders ledger and keeps the outbox indexes that SQLite's table rebuild drops."""

from tests.support.database import index_columns


async def test_the_outbox_keeps_its_indexes_and_the_ledger_is_unique(db: str) -> None:
    dialect = "sqlite" if db.startswith("sqlite") else "postgres"
    outbox = await index_columns("outbox_emails", dialect)
    assert {("status",), ("next_attempt_at",), ("event_key",), ("message_id",)} <= outbox
    ledger = await index_columns("certificate_reminders", dialect)
    assert ("certificate_id", "stage") in ledger
