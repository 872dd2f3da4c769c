"""0009: an index for the reviewers' queue: `status`, then the queue's order (`submitted_at`, `id`).

`list_requests` reads the IN_REVIEW queue oldest first with keyset pagination
(`WHERE status = 'IN_REVIEW' AND (submitted_at, id) > cursor ORDER BY submitted_at, id LIMIT n`)
and counts it. With only the single-column indexes on `status` and `submitted_at`, PostgreSQL
walked `submitted_at` from the oldest request and filtered out every decided one on the way (4,694
rows for the first page of a 5,000-request table, and the whole table's history as it grows), or
sorted all of the queue's rows for a later page. With this one, a page is a range scan of the index
that stops after `n` rows, and the count reads the index only (docs/performance.md, «The queue at
100,000 requests»).

Plain SQL, understood alike by SQLite and PostgreSQL; see 0004's docstring on SQLite rebuilding
tables (a later migration that alters `certificate_requests` must create this index again).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

NAME = "idx_certificate_requests_status_submitted"


class Migration(migrations.Migration):
    dependencies = [("models", "0008_webhooks_reminders")]

    initial = False

    operations = [
        ops.RunSQL(
            [f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "certificate_requests" ("status", "submitted_at", "id")'],
            reverse_sql=[f'DROP INDEX IF EXISTS "{NAME}"'],
        ),
    ]
