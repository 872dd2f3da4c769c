"""Turning an outbox row into the RFC 5322 message that a transport sends.

The row already holds everything rendered at queuing time; this only assembles the MIME
structure: a `multipart/alternative` with the plain text first and the HTML second (clients
show the last part they understand), UTF-8 throughout, non-ASCII names and subjects encoded
by the standard library. The Date is the moment the event was queued, and the Message-ID is
the row's, so every delivery attempt of one event produces the same message.
"""

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr

from models.outbox import OutboxEmail


def _address(display: str) -> Address:
    name, addr_spec = parseaddr(display)
    return Address(display_name=name, addr_spec=addr_spec)


def build_message(email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = _address(email.mail_from)
    message["To"] = Address(display_name=email.to_name, addr_spec=email.to_email)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders must not answer
    message["Content-Language"] = "es-CO"
    message.set_content(email.body_text, subtype="plain", charset="utf-8")
    message.add_alternative(email.body_html, subtype="html", charset="utf-8")
    return message


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """The SMTP envelope (sender, recipients) of a message built by `build_message`."""
    sender = parseaddr(str(message["From"]))[1]
    recipients = [addr for _, addr in getaddresses([str(message["To"])]) if addr]
    return sender, recipients
