"""The event outbox that feeds live updates, and the identity of this deployment.

Every status change and every change to who a user is (a token revoked) writes one `LiveEvent`
row in the same transaction as the change itself, exactly like the email outbox: a rolled-back
change announces nothing, a committed one is always announced. Each serving process reads the
table in id order (`events.feed`); Redis only wakes the readers up, it never carries an event.
Rows are kept for a while (`events.feed.RETENTION_SECONDS`) and then pruned.
"""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class LiveEventKind(StrEnum):
    REQUEST_STATUS = "REQUEST_STATUS"
    CERTIFICATE_STATUS = "CERTIFICATE_STATUS"
    #: A user's tokens or standing changed: their open sockets are checked again.
    PRINCIPAL = "PRINCIPAL"


class LiveEvent(Model):
    """One committed change to announce. `subject_id` is the request, certificate or user."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(LiveEventKind, max_length=20)
    subject_id = fields.IntField()
    company_id = fields.IntField(null=True)
    change_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "event_outbox"


class Deployment(Model):
    """The random id of this deployment, naming its Redis channels.

    One row, created by `certs migrate` (or by the first server to start), so that two
    deployments sharing a Redis never hear each other."""

    id = fields.IntField(primary_key=True)
    deployment_id = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "deployment"
