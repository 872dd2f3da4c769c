"""Submitting a request: what is checked, what is written, what is announced, and what is refused."""

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.calendar import add_months
from domain.clock import FixedClock
from domain.enums import (
    CertificateStatus,
    DocumentKind,
    ErrorCode,
    IdentityDocumentType,
    PersonType,
    RequestKind,
    RequestStatus,
    Role,
)
from models import (
    Certificate,
    CertificateRequest,
    Company,
    EmailKind,
    RequestDocument,
    RequestStatusChange,
)
from services.dependencies import Dependencies
from services.submit_certificate_request import LegalRepresentative, submit_certificate_request
from services.withdraw_certificate_request import WithdrawCommand, withdraw_certificate_request
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import JPEG, PNG, TEXT, pdf
from tests.support.use_cases import (
    REPRESENTATIVE,
    CommitProbingBus,
    assert_no_event,
    document_set,
    emails,
    fields_of,
    next_event,
    refused,
    row_counts,
    submit,
    submit_command,
    today,
    upload,
)

# --- Success ---------------------------------------------------------------------------------


async def test_a_company_without_certificate_submits_a_new_request_in_review(
    deps: Dependencies, customer: Caller, company: Company
) -> None:
    request = await submit(deps, customer)

    stored = await CertificateRequest.get(id=request.id)
    assert stored.company_id == company.id
    assert (stored.kind, stored.status, stored.attempt) == (
        RequestKind.NEW,
        RequestStatus.IN_REVIEW,
        1,
    )
    assert stored.renewal_of_id is None
    assert stored.validity_starts_on == today(deps)
    assert stored.submitted_at == deps.clock.now()
    assert stored.submitted_by_id == customer.user.id
    assert (
        stored.legal_representative_name,
        stored.legal_representative_id_type,
        stored.legal_representative_id_number,
    ) == ("Laura Gómez Ñáñez", IdentityDocumentType.CC, "1020304050")

    documents = await RequestDocument.filter(request_id=request.id).order_by("id")
    assert [d.kind for d in documents] == [
        DocumentKind.RUT,
        DocumentKind.LEGAL_REPRESENTATIVE_ID,
        DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE,
    ]
    assert {d.content_type for d in documents} == {"application/pdf"}
    assert all(d.attempt == 1 and d.superseded_at is None for d in documents)
    assert documents[2].issued_on == today(deps) - timedelta(days=10)
    # The bytes are kept, under the digest the row names.
    assert deps.documents.read(documents[0].sha256) == pdf("RUT")
    assert documents[0].size_bytes == len(pdf("RUT"))

    history = await RequestStatusChange.filter(request_id=request.id)
    assert fields_of(history, "from_status", "to_status", "actor_id", "actor_role") == [
        (None, RequestStatus.IN_REVIEW, customer.user.id, Role.CUSTOMER)
    ]


async def test_each_successful_submit_queues_exactly_one_received_email_to_the_contact(
    deps: Dependencies, customer: Caller, other_customer: Caller, company: Company
) -> None:
    request = await submit(deps, customer)
    await submit(deps, other_customer)

    received = await emails(company_id=company.id)
    assert [(e.kind, e.to_email, e.to_name) for e in received] == [
        (EmailKind.REQUEST_RECEIVED, "contacto@ejemplo.co", "María Peña")
    ]
    assert received[0].subject == "Recibimos tu solicitud de certificado digital"
    assert str(request.id) in received[0].body_text
    assert len(await emails()) == 2


async def test_the_status_change_is_published_only_after_it_is_committed(
    deps: Dependencies, customer: Caller, probing_bus: CommitProbingBus
) -> None:
    deps = dataclasses.replace(deps, bus=probing_bus)
    async with deps.bus.subscribe() as events:
        request = await submit(deps, customer)
        event = await next_event(events)

    change = await RequestStatusChange.get(request_id=request.id)
    assert (event.subject, event.subject_id, event.company_id, event.change_id) == (
        "request",
        request.id,
        request.company_id,
        change.id,
    )
    assert [p.committed for p in probing_bus.published] == [True]


async def test_a_refused_submit_publishes_nothing(deps: Dependencies, customer: Caller) -> None:
    await submit(deps, customer)
    async with deps.bus.subscribe() as events:
        await refused(
            submit(deps, customer),
            ErrorCode.REQUEST_IN_PROGRESS,
            message="Ya tienes una solicitud en trámite. Haz seguimiento al trámite.",
        )
        await assert_no_event(events, deps.bus)


async def test_a_natural_person_needs_no_chamber_of_commerce_certificate(
    deps: Dependencies, db: str
) -> None:
    person = await make_company(PersonType.NATURAL_PERSON, name="Juan Pérez")
    caller = await make_caller(Role.CUSTOMER, person)

    request = await submit(deps, caller, documents=document_set(None, PersonType.NATURAL_PERSON))

    kinds = [d.kind for d in await RequestDocument.filter(request_id=request.id)]
    assert sorted(kinds) == [DocumentKind.LEGAL_REPRESENTATIVE_ID, DocumentKind.RUT]
    assert request.status is RequestStatus.IN_REVIEW


async def test_a_validity_start_in_the_future_is_kept(deps: Dependencies, customer: Caller) -> None:
    starts = today(deps) + timedelta(days=15)
    request = await submit(deps, customer, validity_starts_on=starts)
    assert (await CertificateRequest.get(id=request.id)).validity_starts_on == starts


async def test_the_identity_number_is_stored_without_separators(
    deps: Dependencies, customer: Caller
) -> None:
    representative = LegalRepresentative(" Laura Gómez ", IdentityDocumentType.CC, "1.020.304 050")
    request = await submit(deps, customer, legal_representative=representative)
    stored = await CertificateRequest.get(id=request.id)
    assert (stored.legal_representative_name, stored.legal_representative_id_number) == (
        "Laura Gómez",
        "1020304050",
    )


# --- Documents, recognised by their content ----------------------------------------------------


async def test_a_text_file_named_pdf_is_refused_naming_its_position(
    deps: Dependencies, customer: Caller
) -> None:
    documents = document_set(today(deps))
    documents[1] = upload(DocumentKind.LEGAL_REPRESENTATIVE_ID, TEXT, name="cedula.pdf")

    error = await refused(
        submit(deps, customer, documents=documents),
        ErrorCode.INVALID_DOCUMENT,
        "documents.1",
        message="El archivo «cedula.pdf» no es un PDF ni una imagen JPEG o PNG. Se revisa el contenido del archivo; la extensión del nombre no cuenta.",
    )
    assert "cedula.pdf" in error.message


async def test_every_bad_file_is_reported_at_once(deps: Dependencies, customer: Caller) -> None:
    documents = document_set(today(deps))
    documents[0] = upload(DocumentKind.RUT, TEXT, name="rut.pdf")
    documents[1] = upload(DocumentKind.LEGAL_REPRESENTATIVE_ID, b"", name="cedula.pdf")

    error = await refused(
        submit(deps, customer, documents=documents),
        ErrorCode.INVALID_DOCUMENT,
        field="documents.0",
        message="El archivo «rut.pdf» no es un PDF ni una imagen JPEG o PNG. Se revisa el contenido del archivo; la extensión del nombre no cuenta.",
    )
    assert [(e.code, e.field) for e in error.errors] == [
        (ErrorCode.INVALID_DOCUMENT, "documents.0"),
        (ErrorCode.INVALID_DOCUMENT, "documents.1"),
    ]


async def test_files_are_typed_by_content_not_by_name(deps: Dependencies, customer: Caller) -> None:
    documents = [
        upload(DocumentKind.RUT, pdf("rut"), name="rut.png"),
        upload(DocumentKind.LEGAL_REPRESENTATIVE_ID, PNG, name="cedula.pdf"),
        upload(
            DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE,
            JPEG,
            name="camara",
            issued_on=today(deps),
        ),
    ]
    request = await submit(deps, customer, documents=documents)

    rows = await RequestDocument.filter(request_id=request.id).order_by("id")
    assert [(r.file_name, r.content_type) for r in rows] == [
        ("rut.png", "application/pdf"),
        ("cedula.pdf", "image/png"),
        ("camara", "image/jpeg"),
    ]


async def test_an_empty_file_is_refused(deps: Dependencies, customer: Caller) -> None:
    documents = document_set(today(deps))
    documents[2] = upload(DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE, b"", issued_on=today(deps))
    error = await refused(
        submit(deps, customer, documents=documents),
        ErrorCode.INVALID_DOCUMENT,
        "documents.2",
        message="El archivo «chamber_of_commerce_certificate.pdf» está vacío.",
    )
    assert "vacío" in error.message


async def test_a_file_over_the_size_limit_is_refused_and_one_at_the_limit_accepted(
    deps: Dependencies, customer: Caller
) -> None:
    documents = document_set(today(deps))
    big = pdf("RUT") + b"x" * 100
    deps.max_document_bytes = len(big) - 1
    documents[0] = upload(DocumentKind.RUT, big)

    await refused(
        submit(deps, customer, documents=documents),
        ErrorCode.INVALID_DOCUMENT,
        "documents.0",
        message=f"El archivo «rut.pdf» supera el tamaño máximo de {len(big) - 1} bytes.",
    )

    deps.max_document_bytes = len(big)
    request = await submit(deps, customer, documents=documents)
    assert await RequestDocument.filter(request_id=request.id).count() == 3


async def test_a_legal_entity_must_attach_the_chamber_of_commerce_certificate(
    deps: Dependencies, customer: Caller
) -> None:
    documents = document_set(today(deps))[:2]
    error = await refused(
        submit(deps, customer, documents=documents),
        ErrorCode.MISSING_DOCUMENT,
        field="documents",
        message="Falta el documento «Certificado de existencia y representación legal (cámara de comercio)».",
    )
    assert "cámara de comercio" in error.message


async def test_a_repeated_document_kind_is_refused(deps: Dependencies, customer: Caller) -> None:
    documents = [*document_set(today(deps)), upload(DocumentKind.RUT, pdf("RUT-2"))]
    await refused(
        submit(deps, customer, documents=documents),
        ErrorCode.INVALID_INPUT,
        "documents",
        message="Adjuntaste más de un archivo como «RUT». Deja solo uno.",
    )


@pytest.mark.parametrize("age_days", [90, 0])
async def test_a_chamber_certificate_up_to_90_days_old_is_accepted(
    deps: Dependencies, customer: Caller, age_days: int
) -> None:
    request = await submit(deps, customer, chamber_age_days=age_days)
    assert request.status is RequestStatus.IN_REVIEW


async def test_a_chamber_certificate_91_days_old_is_refused(
    deps: Dependencies, customer: Caller
) -> None:
    await refused(
        submit(deps, customer, chamber_age_days=91),
        ErrorCode.INVALID_DOCUMENT,
        "documents.2.issuedOn",
        message="El certificado de existencia y representación legal fue expedido el 25/08/2026 y tiene más de 90 días. Adjunta uno expedido desde el 26/08/2026.",
    )


async def test_a_chamber_certificate_without_issue_date_or_from_the_future_is_refused(
    deps: Dependencies, customer: Caller
) -> None:
    await refused(
        submit(deps, customer, documents=document_set(None)),
        ErrorCode.INVALID_DOCUMENT,
        "documents.2.issuedOn",
        message="Indica la fecha de expedición del certificado de existencia y representación legal.",
    )
    await refused(
        submit(deps, customer, chamber_age_days=-1),
        ErrorCode.INVALID_DOCUMENT,
        "documents.2.issuedOn",
        message="La fecha de expedición del certificado de existencia y representación legal no puede ser posterior a hoy.",
    )


async def test_the_chamber_certificate_age_counts_in_bogota_days(
    deps: Dependencies, customer: Caller, clock: FixedClock
) -> None:
    # 22:00 on 24 Nov in Bogotá is already 25 Nov in UTC; "today" is the 24th.
    clock.set(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    too_old = document_set(date(2026, 8, 25))
    await refused(
        submit(deps, customer, documents=too_old),
        ErrorCode.INVALID_DOCUMENT,
        "documents.2.issuedOn",
        message="El certificado de existencia y representación legal fue expedido el 25/08/2026 y tiene más de 90 días. Adjunta uno expedido desde el 26/08/2026.",
    )
    request = await submit(deps, customer, documents=document_set(date(2026, 8, 26)))
    assert request.status is RequestStatus.IN_REVIEW


# --- The form ----------------------------------------------------------------------------------


async def test_today_is_the_date_in_bogota_for_the_validity_start(
    deps: Dependencies, customer: Caller, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))  # 24 Nov, 22:00 in Bogotá
    request = await submit(deps, customer, validity_starts_on=date(2026, 11, 24))
    assert (await CertificateRequest.get(id=request.id)).validity_starts_on == date(2026, 11, 24)


async def test_without_a_validity_start_it_is_today_in_bogota(
    deps: Dependencies, customer: Caller, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    request = await submit(deps, customer)
    assert (await CertificateRequest.get(id=request.id)).validity_starts_on == date(2026, 11, 24)


async def test_a_validity_start_in_the_past_is_refused(
    deps: Dependencies, customer: Caller
) -> None:
    await refused(
        submit(deps, customer, validity_starts_on=today(deps) - timedelta(days=1)),
        ErrorCode.INVALID_INPUT,
        "validityStartsOn",
        message="La fecha de inicio de vigencia no puede ser anterior a hoy.",
    )


@pytest.mark.parametrize(
    ("id_type", "number", "message"),
    [
        (
            IdentityDocumentType.CC,
            "12AB34",
            "El número de la cédula de ciudadanía debe tener solo números, entre 3 y 10 dígitos.",
        ),
        (
            IdentityDocumentType.CC,
            "12",
            "El número de la cédula de ciudadanía debe tener solo números, entre 3 y 10 dígitos.",
        ),
        (
            IdentityDocumentType.CE,
            "12345678901",
            "El número de la cédula de extranjería debe tener solo números, entre 3 y 10 dígitos.",
        ),
        (
            IdentityDocumentType.PASSPORT,
            "AB-12345",
            "El número del pasaporte debe tener entre 5 y 20 letras o números, sin símbolos.",
        ),
        (IdentityDocumentType.CC, "  ", "El número del documento de identidad es obligatorio."),
    ],
)
async def test_a_bad_identity_number_is_refused(
    deps: Dependencies,
    customer: Caller,
    id_type: IdentityDocumentType,
    number: str,
    message: str,
) -> None:
    representative = LegalRepresentative(REPRESENTATIVE.name, id_type, number)
    await refused(
        submit(deps, customer, legal_representative=representative),
        ErrorCode.INVALID_INPUT,
        "legalRepresentative.idNumber",
        message=message,
    )


async def test_a_blank_representative_name_is_refused(deps: Dependencies, customer: Caller) -> None:
    representative = LegalRepresentative("   ", IdentityDocumentType.CC, "1020304050")
    await refused(
        submit(deps, customer, legal_representative=representative),
        ErrorCode.INVALID_INPUT,
        "legalRepresentative.name",
        message="El nombre del representante legal es obligatorio.",
    )


# --- When a company may submit, and as what ------------------------------------------------------


async def test_a_second_request_while_one_is_in_review_is_refused(
    deps: Dependencies, customer: Caller, submitted: CertificateRequest
) -> None:
    await refused(
        submit(deps, customer),
        ErrorCode.REQUEST_IN_PROGRESS,
        message="Ya tienes una solicitud en trámite. Haz seguimiento al trámite.",
    )


async def test_a_new_request_is_refused_while_one_awaits_correction_and_allowed_once_withdrawn(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest
) -> None:
    error = await refused(
        submit(deps, customer),
        ErrorCode.REQUEST_AWAITING_CORRECTION,
        message="Tu solicitud número 1 fue rechazada y está pendiente de corrección. Corrígela y vuelve a enviarla, o desiste de ella, antes de enviar una solicitud nueva.",
    )
    assert error.message == (
        f"Tu solicitud número {rejected.id} fue rechazada y está pendiente de corrección. "
        "Corrígela y vuelve a enviarla, o desiste de ella, antes de enviar una solicitud nueva."
    )

    await withdraw_certificate_request(deps, customer.principal, WithdrawCommand(rejected.id))
    second = await submit(deps, customer)
    assert second.id != rejected.id
    assert (second.kind, second.status) == (RequestKind.NEW, RequestStatus.IN_REVIEW)


@pytest.mark.parametrize("months_in", [0, 6, 10])
async def test_an_active_certificate_in_its_first_11_months_is_not_renewable_yet(
    deps: Dependencies,
    customer: Caller,
    certificate: Certificate,
    clock: FixedClock,
    months_in: int,
) -> None:
    clock.set(add_months(certificate.valid_from, months_in))
    error = await refused(
        submit(deps, customer),
        ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET,
        message="Tu certificado está vigente hasta el 24/11/2027. Podrás renovarlo desde el 24/10/2027.",
    )
    assert "Podrás renovarlo" in error.message


async def test_an_inactive_certificate_in_its_first_11_months_is_not_renewable_yet(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    await Certificate.filter(id=certificate.id).update(status=CertificateStatus.INACTIVE)
    await refused(
        submit(deps, customer),
        ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET,
        message="Tu certificado está inactivo, pero vigente hasta el 24/11/2027. Puedes volver a activarlo, y podrás renovarlo desde el 24/10/2027.",
    )


async def test_inside_the_renewal_window_the_request_is_a_renewal_of_the_certificate(
    deps: Dependencies, customer: Caller, certificate: Certificate, clock: FixedClock
) -> None:
    clock.set(add_months(certificate.valid_until, -1) + timedelta(minutes=1))

    renewal = await submit(deps, customer)

    stored = await CertificateRequest.get(id=renewal.id)
    assert (stored.kind, stored.status, stored.renewal_of_id) == (
        RequestKind.RENEWAL,
        RequestStatus.IN_REVIEW,
        certificate.id,
    )


async def test_one_minute_before_the_window_opens_it_is_still_refused(
    deps: Dependencies, customer: Caller, certificate: Certificate, clock: FixedClock
) -> None:
    clock.set(add_months(certificate.valid_until, -1) - timedelta(minutes=1))
    await refused(
        submit(deps, customer),
        ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET,
        message="Tu certificado está vigente hasta el 24/11/2027. Podrás renovarlo desde el 24/10/2027.",
    )


async def test_after_expiry_the_request_is_still_a_renewal(
    deps: Dependencies, customer: Caller, certificate: Certificate, clock: FixedClock
) -> None:
    clock.set(certificate.valid_until + timedelta(days=40))

    renewal = await submit(deps, customer)

    assert (renewal.kind, renewal.renewal_of_id) == (RequestKind.RENEWAL, certificate.id)


async def test_a_revoked_certificate_does_not_block_a_new_request(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    await Certificate.filter(id=certificate.id).update(status=CertificateStatus.REVOKED)
    request = await submit(deps, customer)
    assert (request.kind, request.renewal_of_id) == (RequestKind.NEW, None)


# --- Idempotency ---------------------------------------------------------------------------------


async def test_a_retry_with_the_same_idempotency_key_returns_the_request_and_writes_nothing(
    deps: Dependencies, customer: Caller
) -> None:
    first = await submit(deps, customer, idempotency_key="form-42")
    before = await row_counts()
    stored_files = sorted(p.name for p in deps.documents.root.rglob("*") if p.is_file())

    retry = await submit(deps, customer, idempotency_key=" form-42 ")

    assert retry.id == first.id
    assert await row_counts() == before
    assert sorted(p.name for p in deps.documents.root.rglob("*") if p.is_file()) == stored_files
    assert len(await emails(kind=EmailKind.REQUEST_RECEIVED)) == 1


async def test_the_idempotency_key_is_scoped_to_the_company(
    deps: Dependencies, customer: Caller, other_customer: Caller
) -> None:
    mine = await submit(deps, customer, idempotency_key="form-1")
    theirs = await submit(deps, other_customer, idempotency_key="form-1")
    assert mine.id != theirs.id
    assert theirs.company_id == other_customer.principal.company_id


async def test_a_different_key_is_a_different_submission(
    deps: Dependencies, customer: Caller
) -> None:
    await submit(deps, customer, idempotency_key="form-1")
    await refused(
        submit(deps, customer, idempotency_key="form-2"),
        ErrorCode.REQUEST_IN_PROGRESS,
        message="Ya tienes una solicitud en trámite. Haz seguimiento al trámite.",
    )


async def test_an_overlong_idempotency_key_is_refused(deps: Dependencies, customer: Caller) -> None:
    await refused(
        submit(deps, customer, idempotency_key="k" * 101),
        ErrorCode.INVALID_INPUT,
        "idempotencyKey",
        message="La clave de idempotencia admite hasta 100 caracteres.",
    )


# --- Who may submit ----------------------------------------------------------------------------


async def test_a_reviewer_may_not_submit(
    deps: Dependencies, reviewer: Caller, company: Company
) -> None:
    await refused(
        submit(deps, reviewer, company_id=company.id),
        ErrorCode.FORBIDDEN,
        message="Tu rol no permite enviar solicitudes de certificado.",
    )


async def test_nobody_may_submit_without_authenticating(
    deps: Dependencies, company: Company
) -> None:
    await refused(
        submit_certificate_request(deps, None, submit_command(deps, company_id=company.id)),
        ErrorCode.UNAUTHENTICATED,
        message="Inicia sesión: envía un token válido en el encabezado Authorization.",
    )


async def test_an_operator_must_name_the_company(deps: Dependencies, admin: Caller) -> None:
    await refused(
        submit(deps, admin),
        ErrorCode.INVALID_INPUT,
        "companyId",
        message="Indica la empresa (companyId).",
    )


async def test_an_operator_submits_for_the_company_they_name(
    deps: Dependencies, admin: Caller, company: Company
) -> None:
    request = await submit(deps, admin, company_id=company.id)

    stored = await CertificateRequest.get(id=request.id)
    assert (stored.company_id, stored.submitted_by_id) == (company.id, admin.user.id)
    assert [e.to_email for e in await emails(company_id=company.id)] == ["contacto@ejemplo.co"]


async def test_an_operator_naming_a_missing_company_gets_not_found(
    deps: Dependencies, admin: Caller
) -> None:
    await refused(
        submit(deps, admin, company_id=999_999),
        ErrorCode.NOT_FOUND,
        message="No encontramos la empresa.",
    )


async def test_a_customer_naming_another_company_gets_not_found(
    deps: Dependencies, customer: Caller, other_company: Company
) -> None:
    await refused(
        submit(deps, customer, company_id=other_company.id),
        ErrorCode.NOT_FOUND,
        message="No encontramos la empresa.",
    )
    assert not await CertificateRequest.exists(company_id=other_company.id)


async def test_a_customer_naming_their_own_company_may_submit(
    deps: Dependencies, customer: Caller, company: Company
) -> None:
    request = await submit(deps, customer, company_id=company.id)
    assert request.company_id == company.id
