"""What subscribers receive from the bus: a committed change, found and authorised from the
database. Nothing from outside the process (Redis) ever becomes one of these."""

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class StatusChanged:
    """A request's or a certificate's status changed; `change_id` is the id of its history row.

    `company_id` is the owner of the subject as read from the database. `change` is the history
    row itself when the event feed has read it (in one query for a whole batch of events), and
    `read_at` the event loop's time then (0: not read by a feed), from which a subscriber's lag
    is measured."""

    subject: Literal["request", "certificate"]
    subject_id: int
    company_id: int
    change_id: int
    change: Any = field(default=None, compare=False, repr=False)
    read_at: float = field(default=0.0, compare=False, repr=False)
