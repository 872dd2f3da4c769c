"""Where emails go: a real SMTP server, or a Maildir folder when none is configured.

`SMTP_URL` selects SMTP through aiosmtplib; without it, messages are written to the Maildir
`DATA_DIR/mail` (`var/mail/`), which any mail client can open, so a fresh checkout works
without a mail server and nobody is emailed by accident.

A transport opens a *session* (one SMTP connection for a whole batch) whose `send` either
returns (the server accepted the message), or raises:

- `MessageRejected`: this message was refused (for example `550` for an unknown recipient);
  the session stays usable and the next message can be sent;
- `ConnectionLost`: the connection broke while sending; the session must not be used again.

Opening a session, or reconnecting before a message when the server hung up in between,
raises `TransportUnavailable` when the server cannot be reached at all; nothing of that
message was sent, and the worker leaves the emails pending without spending their attempts.

SMTP URL forms: `smtp://user:pass@host:587` (STARTTLS when the server offers it),
`smtp://host:25?starttls=true` (STARTTLS required), `?starttls=false` (never), `smtps://host:465`
(implicit TLS), plus `timeout=<seconds>` (default 30) and `verify=false` (accept a self-signed
certificate, for a test relay only). User and password are URL-decoded.
"""

import asyncio
import mailbox
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from notifications.message import envelope

DEFAULT_SMTP_TIMEOUT = 30.0
_SERVICE_CLOSING = 421


class TransportUnavailable(Exception):
    """The mail server could not be reached or refused the session (connect, TLS, login).

    Raised before any part of a message was sent.
    """


class MessageRejected(Exception):
    """The server refused this one message; the session can send the next one.

    `permanent` for a 5xx answer (an unknown mailbox, a refused sender, a message the server will
    never take) and for a message that cannot be sent at all: retrying cannot help, the email is
    FAILED at once. A 4xx answer (greylisting, a full mailbox) is temporary and retried.
    """

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def _permanent(code: int) -> bool:
    return 500 <= code < 600


class ConnectionLost(Exception):
    """The session broke while sending; whether the server kept the message is unknown."""


class MailSession(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class Transport(Protocol):
    @property
    def description(self) -> str:
        """Where messages go, for logs (never includes a password)."""
        ...

    def session(self) -> AbstractAsyncContextManager[MailSession]: ...


def describe_error(exc: BaseException) -> str:
    """The server's answer when there is one (`550 5.1.1 ...`), else the exception's text."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{refused.code} {refused.message} ({refused.recipient})" for refused in exc.recipients
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return f"{exc.code} {exc.message} ({exc.recipient})"
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return f"{exc.code} {exc.message} ({exc.sender})"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --- SMTP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None  # None: upgrade when the server offers STARTTLS
    timeout: float = DEFAULT_SMTP_TIMEOUT
    validate_certs: bool = True

    @property
    def description(self) -> str:
        scheme = "smtps" if self.use_tls else "smtp"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.hostname}:{self.port}"


def _flag(values: dict[str, list[str]], name: str) -> bool | None:
    raw = values.get(name, [""])[-1].strip().lower()
    if raw in {"", "auto"}:
        return None
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"SMTP_URL: valor no válido para {name}: {raw!r}")


def parse_smtp_url(url: str) -> SmtpSettings:
    """Read `smtp://[user[:pass]@]host[:port][?starttls=..&timeout=..&verify=..]` or `smtps://`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"smtp", "smtps"}:
        raise ValueError(f"SMTP_URL debe empezar por smtp:// o smtps://, no {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("SMTP_URL no indica el servidor")
    query = parse_qs(parts.query)
    use_tls = scheme == "smtps"
    start_tls = _flag(query, "starttls")
    if use_tls and start_tls:
        raise ValueError("SMTP_URL: smtps:// ya usa TLS; starttls=true no aplica")
    if use_tls:
        start_tls = False
    port = parts.port or (465 if use_tls else (587 if start_tls else 25))
    timeout_raw = query.get("timeout", [""])[-1]
    timeout = float(timeout_raw) if timeout_raw else DEFAULT_SMTP_TIMEOUT
    if timeout <= 0:
        raise ValueError("SMTP_URL: timeout debe ser mayor que cero")
    verify = _flag(query, "verify")
    return SmtpSettings(
        hostname=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        use_tls=use_tls,
        start_tls=start_tls,
        timeout=timeout,
        validate_certs=verify is not False,
    )


def _server_closing(exc: aiosmtplib.SMTPRecipientsRefused) -> bool:
    return any(refused.code == _SERVICE_CLOSING for refused in exc.recipients)


class _SmtpSession:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self._client = client

    async def _ensure_connected(self) -> None:
        """Reconnect if the server hung up since the last message (an idle timeout, say)."""
        if self._client.is_connected:
            return
        try:
            await self._client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._client.close()
            raise TransportUnavailable(describe_error(exc)) from exc

    async def send(self, message: EmailMessage) -> None:
        await self._ensure_connected()
        sender, recipients = envelope(message)
        try:
            await self._client.send_message(message, sender=sender, recipients=recipients)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as exc:
            raise ConnectionLost(describe_error(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code == _SERVICE_CLOSING:
                raise ConnectionLost(describe_error(exc)) from exc
            raise MessageRejected(describe_error(exc), permanent=_permanent(exc.code)) from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if _server_closing(exc):
                raise ConnectionLost(describe_error(exc)) from exc
            permanent = all(_permanent(refused.code) for refused in exc.recipients)
            raise MessageRejected(describe_error(exc), permanent=permanent) from exc
        except aiosmtplib.SMTPNotSupported as exc:
            raise MessageRejected(describe_error(exc), permanent=True) from exc
        except ValueError as exc:  # an address aiosmtplib cannot put in an envelope
            raise MessageRejected(describe_error(exc), permanent=True) from exc
        except OSError as exc:
            raise ConnectionLost(describe_error(exc)) from exc
        except aiosmtplib.SMTPException as exc:
            raise ConnectionLost(describe_error(exc)) from exc


class SmtpTransport:
    """Sends through an SMTP server, one connection per batch."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @classmethod
    def from_url(cls, url: str) -> "SmtpTransport":
        return cls(parse_smtp_url(url))

    @property
    def description(self) -> str:
        return self.settings.description

    @asynccontextmanager
    async def session(self) -> AsyncIterator[MailSession]:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.hostname,
            port=s.port,
            username=s.username,
            password=s.password,
            use_tls=s.use_tls,
            start_tls=s.start_tls,
            timeout=s.timeout,
            validate_certs=s.validate_certs,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            raise TransportUnavailable(describe_error(exc)) from exc
        try:
            yield _SmtpSession(client)
        finally:
            await _quit(client)


async def _quit(client: aiosmtplib.SMTP) -> None:
    """Say goodbye politely; a server that already hung up is not an error here."""
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


# --- Maildir --------------------------------------------------------------------------------


class _MaildirSession:
    def __init__(self, box: mailbox.Maildir) -> None:
        self._box = box

    async def send(self, message: EmailMessage) -> None:
        try:
            await asyncio.to_thread(self._box.add, message)
        except OSError as exc:
            raise MessageRejected(describe_error(exc), permanent=False) from exc


class MaildirTransport:
    """Writes each message as a file in a Maildir folder (`new/`), readable by mail clients."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def description(self) -> str:
        return f"maildir:{self.path}"

    def _open(self) -> mailbox.Maildir:
        # Maildir creates only its last folder; on a fresh checkout `var/` does not exist yet.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return mailbox.Maildir(self.path, factory=None, create=True)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[MailSession]:
        try:
            box = await asyncio.to_thread(self._open)
        except OSError as exc:
            raise TransportUnavailable(describe_error(exc)) from exc
        yield _MaildirSession(box)


class TransportSettings(Protocol):
    """What `transport_from_settings` reads; `server.settings.Settings` has both."""

    @property
    def smtp_url(self) -> str | None: ...

    @property
    def maildir(self) -> Path: ...


def transport_from_settings(settings: TransportSettings) -> Transport:
    """SMTP when `SMTP_URL` is set, else the Maildir folder under `DATA_DIR`."""
    if settings.smtp_url:
        return SmtpTransport.from_url(settings.smtp_url)
    return MaildirTransport(settings.maildir)
