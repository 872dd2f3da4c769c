"""Queuing: one rendered outbox row per event, inside the caller's transaction, never twice."""

import re
from datetime import timedelta
from importlib import resources

import pytest
from tortoise.transactions import in_transaction

from domain.enums import CertificateStatus, DocumentKind, RequestStatus
from models import OutboxEmail, OutboxStatus
from models.outbox import EmailKind
from notifications.config import MailConfig
from notifications.emails import (
    message_id_for,
    queue_certificate_state_changed,
    queue_request_approved,
    queue_request_received,
    queue_request_rejected,
)
from notifications.rendering import load_template
from tests.support.factories import (
    MAIL,
    make_certificate,
    make_company,
    make_document,
    make_request,
    make_status_change,
)

REJECTION_SUBJECT = "Rechazo solicitud de certificado digital"


async def test_received_is_one_pending_row_to_the_principal_contact(db: str) -> None:
    company = await make_company(
        name="Panadería El Niño S.A.S.",
        contact_name="María José Peña Ñáñez",
        contact_email="maria.pena@example.co",
    )
    request = await make_request(company)
    async with in_transaction():
        await queue_request_received(MAIL, request, company)

    row = await OutboxEmail.get()
    assert row.event_key == f"request:{request.id}:received:1"
    assert row.kind == EmailKind.REQUEST_RECEIVED
    assert row.company_id == company.id
    assert (row.to_name, row.to_email) == ("María José Peña Ñáñez", "maria.pena@example.co")
    assert row.mail_from == "Andes Certificados <no-reply@certs.example.co>"
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0
    assert row.next_attempt_at is None
    assert row.sent_at is None
    assert row.subject == "Recibimos tu solicitud de certificado digital"
    assert "Panadería El Niño S.A.S." in row.body_text
    assert f"número {request.id}" in row.body_text
    # Sent on Tuesday 24/11/2026: two Colombian business days later is Thursday 26/11/2026.
    assert "24/11/2026" in row.body_text
    assert "26/11/2026" in row.body_text
    assert "Haz seguimiento al trámite" in row.body_text
    assert "https://certs.example.co" in row.body_html


async def test_every_resubmission_is_its_own_event(db: str) -> None:
    company = await make_company()
    request = await make_request(company)
    await queue_request_received(MAIL, request, company)
    request.attempt = 2
    await queue_request_received(MAIL, request, company)

    rows = await OutboxEmail.all().order_by("id")
    assert [row.event_key for row in rows] == [
        f"request:{request.id}:received:1",
        f"request:{request.id}:received:2",
    ]
    assert rows[1].subject == "Recibimos tu solicitud corregida de certificado digital"
    assert "envío número 2" in rows[1].body_text
    assert rows[0].message_id != rows[1].message_id


async def test_rejection_has_exact_subject_observations_documents_and_steps(db: str) -> None:
    company = await make_company()
    request = await make_request(
        company,
        status=RequestStatus.REJECTED,
        observations="El RUT está desactualizado.\nActualízalo en la DIAN.",
    )
    rut = await make_document(
        request, DocumentKind.RUT, observation="Fecha de generación mayor a 30 días"
    )
    chamber = await make_document(
        request,
        DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE,
        observation="Ilegible: la página 2 está cortada",
        file_name="cámara.pdf",
    )
    async with in_transaction():
        await queue_request_rejected(MAIL, request, company, [rut, chamber])

    row = await OutboxEmail.get()
    assert row.subject == REJECTION_SUBJECT
    assert row.event_key == f"request:{request.id}:rejected:1"
    text = row.body_text
    assert "fue rechazada" in text
    assert "El RUT está desactualizado.\nActualízalo en la DIAN." in text
    assert "- RUT (documento.pdf): Fecha de generación mayor a 30 días" in text
    assert (
        "- Certificado de existencia y representación legal (cámara de comercio) (cámara.pdf): "
        "Ilegible: la página 2 está cortada"
    ) in text
    steps = re.findall(r"^(\d)\. ", text, flags=re.MULTILINE)
    assert steps == ["1", "2", "3", "4", "5"]
    assert "«Haz seguimiento al trámite»" in text
    assert "El RUT está desactualizado.<br>\nActualízalo en la DIAN." in row.body_html
    assert "<li><strong>RUT</strong> (documento.pdf): Fecha de generación" in row.body_html


async def test_rejection_without_flagged_documents_says_so(db: str) -> None:
    company = await make_company()
    request = await make_request(company, status=RequestStatus.REJECTED, observations="Datos")
    await queue_request_rejected(MAIL, request, company, [])
    row = await OutboxEmail.get()
    assert "no señaló un documento en particular" in row.body_text


async def test_html_part_escapes_what_people_typed(db: str) -> None:
    company = await make_company(contact_name="Ana <b>Pérez</b>", name='Hermanos "Gómez" & Cía')
    request = await make_request(
        company,
        status=RequestStatus.REJECTED,
        observations="<script>alert('x')</script> revisa & corrige",
    )
    doc = await make_document(request, DocumentKind.RUT, observation="<img src=x onerror=1>")
    await queue_request_rejected(MAIL, request, company, [doc])

    row = await OutboxEmail.get()
    assert "<script>" not in row.body_html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; revisa &amp; corrige" in row.body_html
    assert "&lt;img src=x onerror=1&gt;" in row.body_html
    assert "Ana &lt;b&gt;Pérez&lt;/b&gt;" in row.body_html
    assert "Hermanos &quot;Gómez&quot; &amp; Cía" in row.body_html
    # The plain-text part shows exactly what was typed.
    assert "<script>alert('x')</script> revisa & corrige" in row.body_text
    assert row.to_name == "Ana <b>Pérez</b>"


async def test_approval_shows_serial_and_dates_in_bogota(db: str) -> None:
    company = await make_company()
    request = await make_request(company, status=RequestStatus.COMPLETED)
    # 04:30 UTC on 25/11 is still 24/11 in Bogotá (UTC-5).
    certificate = await make_certificate(request)
    await queue_request_approved(MAIL, request, company, certificate, certificate.valid_from)

    row = await OutboxEmail.get()
    assert row.event_key == f"request:{request.id}:approved"
    assert row.subject == "Andes aprobó tu solicitud de certificado digital"
    assert certificate.serial_number in row.body_text
    assert "Vigente desde: 24/11/2026" in row.body_text
    assert "Vence el: 24/11/2027" in row.body_text
    assert "<strong>24/11/2027</strong>" in row.body_html
    assert "Ya puedes usarlo para firmar tus facturas electrónicas" in row.body_text


async def test_an_approval_that_starts_later_says_from_which_date_it_can_be_used(
    db: str,
) -> None:
    company = await make_company()
    request = await make_request(company, status=RequestStatus.COMPLETED)
    certificate = await make_certificate(request)
    await queue_request_approved(
        MAIL, request, company, certificate, certificate.valid_from - timedelta(days=3)
    )

    row = await OutboxEmail.get()
    assert (
        "Podrás usarlo para firmar tus facturas electrónicas desde el 24/11/2026; hasta "
        "entonces sigue firmando con el certificado que usas hoy." in row.body_text
    )
    assert "Ya puedes usarlo" not in row.body_text
    assert "desde el 24/11/2026" in row.body_html


async def test_certificate_state_change_shows_labels_and_reason(db: str) -> None:
    company = await make_company()
    request = await make_request(company, status=RequestStatus.COMPLETED)
    certificate = await make_certificate(request, status=CertificateStatus.REVOKED)
    change = await make_status_change(
        certificate,
        from_status=CertificateStatus.ACTIVE,
        to_status=CertificateStatus.REVOKED,
        note="La llave privada se comprometió",
    )
    await queue_certificate_state_changed(MAIL, certificate, company, change)

    row = await OutboxEmail.get()
    assert row.event_key == f"certificate:{certificate.id}:status:{change.id}"
    assert row.subject == "Cambió el estado de tu certificado digital: Revocado"
    assert "Estado anterior: Activo" in row.body_text
    assert "Estado nuevo: Revocado" in row.body_text
    assert "Motivo: La llave privada se comprometió" in row.body_text
    assert "15/01/2027 a las 15:05" in row.body_text
    assert "Ana Gómez" in row.body_text


async def test_certificate_state_change_without_reason_or_actor(db: str) -> None:
    company = await make_company()
    request = await make_request(company, status=RequestStatus.COMPLETED)
    certificate = await make_certificate(request, status=CertificateStatus.EXPIRED)
    change = await make_status_change(
        certificate,
        from_status=CertificateStatus.ACTIVE,
        to_status=CertificateStatus.EXPIRED,
        actor_name=None,
    )
    await queue_certificate_state_changed(MAIL, certificate, company, change)
    row = await OutboxEmail.get()
    assert "Motivo" not in row.body_text
    assert "Motivo" not in row.body_html
    assert "el sistema, de forma automática" in row.body_text


async def test_same_event_twice_is_one_row(db: str) -> None:
    company = await make_company()
    request = await make_request(company)
    async with in_transaction():
        await queue_request_received(MAIL, request, company)
        await queue_request_received(MAIL, request, company)
    async with in_transaction():
        await queue_request_received(MAIL, request, company)
    assert await OutboxEmail.all().count() == 1


async def test_duplicate_insert_backstop_keeps_the_callers_transaction_usable(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concurrent twin slips past the existence check: the unique index stops it quietly."""
    company = await make_company()
    request = await make_request(company)

    async def never_exists(*args: object, **kwargs: object) -> bool:
        return False

    monkeypatch.setattr(OutboxEmail, "exists", never_exists)
    async with in_transaction():
        await queue_request_received(MAIL, request, company)
        await queue_request_received(MAIL, request, company)
        # The transaction still works after the ignored duplicate.
        company.contact_name = "Otro Nombre"
        await company.save(update_fields=["contact_name"])
    assert await OutboxEmail.all().count() == 1
    await company.refresh_from_db()
    assert company.contact_name == "Otro Nombre"


async def test_rolled_back_change_queues_nothing(db: str) -> None:
    company = await make_company()
    request = await make_request(company)

    class Boom(Exception):
        pass

    async def reject_then_fail() -> None:
        async with in_transaction():
            request.status = RequestStatus.REJECTED
            await request.save(update_fields=["status"])
            await queue_request_rejected(MAIL, request, company, [])
            raise Boom

    with pytest.raises(Boom):
        await reject_then_fail()
    assert await OutboxEmail.all().count() == 0
    await request.refresh_from_db()
    assert request.status == RequestStatus.IN_REVIEW


async def test_recipient_is_the_contact_at_the_moment_of_queuing(db: str) -> None:
    company = await make_company()
    request = await make_request(company)
    await queue_request_received(MAIL, request, company)
    company.contact_name = "Nuevo Contacto"
    company.contact_email = "nuevo@example.co"
    await company.save()
    request.attempt = 2
    await queue_request_received(MAIL, request, company)

    first, second = await OutboxEmail.all().order_by("id")
    assert first.to_email == "contacto@ejemplo.co"
    assert (second.to_name, second.to_email) == ("Nuevo Contacto", "nuevo@example.co")


async def test_message_id_is_stable_per_event(db: str) -> None:
    company = await make_company()
    request = await make_request(company)
    await queue_request_received(MAIL, request, company)
    row = await OutboxEmail.get()
    key = f"request:{request.id}:received:1"
    assert (
        row.message_id
        == message_id_for(key, MAIL)
        == message_id_for(key, MailConfig(MAIL.mail_from, MAIL.public_base_url + "/"))
    )
    assert re.fullmatch(r"<[0-9a-f]{40}@certs\.example\.co>", row.message_id)
    assert message_id_for(f"request:{request.id}:received:2", MAIL) != row.message_id


def test_every_template_file_is_valid_utf8_with_well_formed_placeholders() -> None:
    folder = resources.files("notifications") / "templates"
    names = sorted(entry.name for entry in folder.iterdir() if entry.is_file())
    assert len(names) > 10
    for name in names:
        assert load_template(name).is_valid(), name
