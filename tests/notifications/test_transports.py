"""Transports: the SMTP URL, a real round trip through aiosmtpd, and the Maildir folder."""

import mailbox
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from devkit.ports import free_port
from devkit.smtp_server import SmtpServer
from domain.enums import DocumentKind, RequestStatus
from models import OutboxEmail, OutboxStatus
from notifications.transports import (
    MaildirTransport,
    SmtpSettings,
    SmtpTransport,
    parse_smtp_url,
    transport_from_settings,
)
from notifications.worker import deliver_pending
from server.settings import Settings
from tests.support.factories import MAIL, make_company, make_document, make_request

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.co", SmtpSettings("mail.example.co", 25)),
        (
            "smtp://user%40example.co:p%C3%A1ss%3Aword@mail.example.co:587",
            SmtpSettings("mail.example.co", 587, "user@example.co", "páss:word"),
        ),
        (
            "smtp://mail.example.co?starttls=true",
            SmtpSettings("mail.example.co", 587, start_tls=True),
        ),
        (
            "smtp://mail.example.co:2525?starttls=false&timeout=7.5",
            SmtpSettings("mail.example.co", 2525, start_tls=False, timeout=7.5),
        ),
        (
            "smtps://u:p@mail.example.co",
            SmtpSettings("mail.example.co", 465, "u", "p", use_tls=True, start_tls=False),
        ),
        (
            "smtps://mail.example.co:1465?verify=false",
            SmtpSettings(
                "mail.example.co", 1465, use_tls=True, start_tls=False, validate_certs=False
            ),
        ),
    ],
)
def test_smtp_url_forms(url: str, expected: SmtpSettings) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.co",
        "smtp://",
        "smtps://mail.example.co?starttls=true",
        "smtp://mail.example.co?starttls=maybe",
        "smtp://mail.example.co?timeout=0",
    ],
)
def test_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP_URL"):
        parse_smtp_url(url)


def test_description_never_shows_the_password() -> None:
    transport = SmtpTransport.from_url("smtp://ana:secreto@mail.example.co:587")
    assert transport.description == "smtp://ana@mail.example.co:587"


def test_transport_follows_the_settings(tmp_path: Path) -> None:
    smtp = transport_from_settings(Settings(data_dir=tmp_path, smtp_url="smtp://h:2525"))
    assert isinstance(smtp, SmtpTransport)
    assert smtp.settings.port == 2525
    maildir = transport_from_settings(Settings(data_dir=tmp_path))
    assert isinstance(maildir, MaildirTransport)
    assert maildir.path == tmp_path / "mail"


async def _queue_rejection() -> OutboxEmail:
    from notifications.emails import queue_request_rejected

    company = await make_company(
        contact_name="María José Peña Ñáñez", contact_email="maria.pena@example.co"
    )
    request = await make_request(
        company,
        status=RequestStatus.REJECTED,
        observations="Corrige el año: «2026» y la dirección <calle 10 # 5-20> & más",
    )
    doc = await make_document(
        request, DocumentKind.RUT, observation="Está a nombre de otra compañía"
    )
    await queue_request_rejected(MAIL, request, company, [doc])
    return await OutboxEmail.get()


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    markup = message.get_body(preferencelist=("html",))
    assert text is not None
    assert markup is not None
    return str(text.get_content()), str(markup.get_content())


async def test_round_trip_through_a_real_smtp_server(
    db: str, smtp_server: SmtpServer, smtp_transport: SmtpTransport
) -> None:
    row = await _queue_rejection()
    report = await deliver_pending(smtp_transport, now=NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)

    [received] = smtp_server.messages
    assert received.mail_from == "no-reply@certs.example.co"
    assert received.rcpt_tos == ("maria.pena@example.co",)
    message = received.message
    assert message["Subject"] == "Rechazo solicitud de certificado digital"
    assert message["From"] == "Andes Certificados <no-reply@certs.example.co>"
    assert message["To"] == "María José Peña Ñáñez <maria.pena@example.co>"
    assert message["Message-ID"] == row.message_id
    assert message["Date"] is not None
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())
    text, markup = _parts(message)
    assert "Corrige el año: «2026» y la dirección <calle 10 # 5-20> & más" in text
    assert "Está a nombre de otra compañía" in text
    assert "Peña Ñáñez" in text
    assert "«Haz seguimiento al trámite»" in text
    assert "&lt;calle 10 # 5-20&gt; &amp; más" in markup
    assert "<calle 10" not in markup
    # Only 7-bit bytes travel: tildes are encoded, not sent raw to a server without SMTPUTF8.
    assert received.data.isascii()

    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.sent_at == NOW
    assert row.attempts == 1


async def test_unreachable_server_spends_no_attempts(db: str) -> None:
    row = await _queue_rejection()
    transport = SmtpTransport.from_url(f"smtp://127.0.0.1:{free_port()}?timeout=2")
    report = await deliver_pending(transport, now=NOW)

    assert report.sent == 0
    assert report.transport_error is not None
    await row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    assert row.next_attempt_at is None
    assert row.last_error is not None
    assert row.last_error.startswith("Servidor de correo no disponible")


async def test_maildir_transport_writes_readable_messages(db: str, tmp_path: Path) -> None:
    row = await _queue_rejection()
    folder = tmp_path / "var" / "mail"
    report = await deliver_pending(MaildirTransport(folder), now=NOW)
    assert report.sent == 1

    [path] = list((folder / "new").iterdir())
    assert len(mailbox.Maildir(folder, factory=None, create=False)) == 1
    parsed = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Rechazo solicitud de certificado digital"
    assert parsed["Message-ID"] == row.message_id
    assert parsed["To"] == "María José Peña Ñáñez <maria.pena@example.co>"
    text, markup = _parts(parsed)
    assert "Está a nombre de otra compañía" in text
    assert "&lt;calle 10 # 5-20&gt;" in markup
    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
