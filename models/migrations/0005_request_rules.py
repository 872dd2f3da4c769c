"""The business rules of issue 13: withdrawn requests, issued (not yet started) certificates, the
renewal's switch-over instant, and at most one ACTIVE certificate per company in the database.

- `certificates.superseded_at`: a nullable column, added in place (ALTER TABLE ADD COLUMN on both).
- New enum values (WITHDRAWN, ISSUED, two email kinds) change only the columns' comments, which
  Tortoise records in the field's description. SQLite has no column comments, yet Tortoise's
  SQLite migrator would rebuild each table to "apply" them, and rebuilding `certificates` or
  `certificate_requests` with foreign keys on would cascade-delete their history rows or fail on
  the rows that refer to them. `CommentOnly` records the new description in the migration state
  everywhere and alters the comment on PostgreSQL only; on SQLite it touches nothing.
- `uq_certificates_one_active_per_company`: a partial unique index, plain SQL that SQLite and
  PostgreSQL both understand. A later migration that rebuilds `certificates` on SQLite must
  create it again (see 0004's docstring).
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from domain.enums import CertificateStatus, RequestStatus
from models.outbox import EmailKind


def _enum_description(enum_type: Any) -> str:
    return "\n".join(f"{member.name}: {member.value}" for member in enum_type)


class CommentOnly(ops.AlterField):
    """An AlterField whose only change is the column's comment: nothing to do on SQLite."""

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is None or getattr(state_editor, "DIALECT", "") == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is None or getattr(state_editor, "DIALECT", "") == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


ONE_ACTIVE_INDEX = "uq_certificates_one_active_per_company"


class Migration(migrations.Migration):
    dependencies = [("models", "0004_foreign_key_indexes")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Certificate",
            name="superseded_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        CommentOnly(
            model_name="CertificateRequest",
            name="status",
            field=fields.CharEnumField(
                description=_enum_description(RequestStatus),
                enum_type=RequestStatus,
                max_length=20,
                db_index=True,
            ),
        ),
        CommentOnly(
            model_name="RequestStatusChange",
            name="from_status",
            field=fields.CharEnumField(
                description=_enum_description(RequestStatus),
                enum_type=RequestStatus,
                max_length=20,
                null=True,
            ),
        ),
        CommentOnly(
            model_name="RequestStatusChange",
            name="to_status",
            field=fields.CharEnumField(
                description=_enum_description(RequestStatus), enum_type=RequestStatus, max_length=20
            ),
        ),
        CommentOnly(
            model_name="Certificate",
            name="status",
            field=fields.CharEnumField(
                description=_enum_description(CertificateStatus),
                enum_type=CertificateStatus,
                max_length=20,
                db_index=True,
            ),
        ),
        CommentOnly(
            model_name="CertificateStatusChange",
            name="from_status",
            field=fields.CharEnumField(
                description=_enum_description(CertificateStatus),
                enum_type=CertificateStatus,
                max_length=20,
                null=True,
            ),
        ),
        CommentOnly(
            model_name="CertificateStatusChange",
            name="to_status",
            field=fields.CharEnumField(
                description=_enum_description(CertificateStatus),
                enum_type=CertificateStatus,
                max_length=20,
            ),
        ),
        CommentOnly(
            model_name="OutboxEmail",
            name="kind",
            field=fields.CharEnumField(
                description=_enum_description(EmailKind), enum_type=EmailKind, max_length=40
            ),
        ),
        ops.RunSQL(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{ONE_ACTIVE_INDEX}" '
            "ON \"certificates\" (\"company_id\") WHERE \"status\" = 'ACTIVE'",
            reverse_sql=f'DROP INDEX IF EXISTS "{ONE_ACTIVE_INDEX}"',
        ),
    ]
