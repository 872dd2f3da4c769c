"""Emails to the principal contact, through a transactional outbox.

`emails` renders a message from the files in `templates/` and writes it as an outbox row inside
the caller's transaction; `worker` delivers the rows through a `transports` transport (SMTP or
a Maildir folder). Every `queue_*` call takes the `MailConfig` (sender, public base URL).
"""

from notifications.config import MailConfig

__all__ = ["MailConfig"]
