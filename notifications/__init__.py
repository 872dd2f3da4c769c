"""Emails to the principal contact, through a transactional outbox.

`emails` renders a message from the files in `templates/` and writes it as an outbox row inside
the caller's transaction; `worker` delivers the rows through a `transports` transport (SMTP or
a Maildir folder). `configure` must be called at startup with the sender and public base URL.
"""

from notifications.config import MailConfig, configure, current_config

__all__ = ["MailConfig", "configure", "current_config"]
