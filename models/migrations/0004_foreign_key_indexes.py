"""Indexes for the foreign keys the API reads by.

PostgreSQL (unlike MySQL) does not index a foreign key by itself, and Tortoise's migrations create
none for `ForeignKeyField`: every read of a request's documents or history, of a company's
certificates or requests, scanned the whole table. With 5,000 requests that was most of the
tracking screen's time (see docs/performance/history.md).

Plain SQL, understood alike by SQLite and PostgreSQL. Tortoise's SQLite migrator rebuilds a table
for some field changes and drops its indexes then: a later migration that alters one of these
tables must create its index again (as 0003 does for the outbox table).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = {
    "idx_request_documents_request": '"request_documents" ("request_id")',
    "idx_request_status_changes_request": '"request_status_changes" ("request_id")',
    "idx_certificate_requests_company_submitted": '"certificate_requests" ("company_id", "submitted_at")',
    "idx_certificates_company": '"certificates" ("company_id")',
    "idx_certificate_status_changes_certificate": '"certificate_status_changes" ("certificate_id")',
    "idx_users_company": '"users" ("company_id")',
    "idx_api_tokens_user": '"api_tokens" ("user_id")',
}


class Migration(migrations.Migration):
    dependencies = [("models", "0003_certificate_reminders")]

    initial = False

    operations = [
        ops.RunSQL(
            [f'CREATE INDEX IF NOT EXISTS "{name}" ON {target}' for name, target in INDEXES.items()],
            reverse_sql=[f'DROP INDEX IF EXISTS "{name}"' for name in INDEXES],
        ),
    ]
