"""Resubmitting a rejected request: same request, next attempt, flagged documents replaced."""

from datetime import timedelta

from domain.clock import FixedClock
from domain.enums import DocumentKind, ErrorCode, IdentityDocumentType, RequestStatus, Role
from models import (
    Certificate,
    CertificateRequest,
    EmailKind,
    RequestDocument,
    RequestStatusChange,
)
from services.dependencies import Dependencies
from services.documents import UploadedDocument
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from services.submit_certificate_request import LegalRepresentative
from tests.support.factories import Caller
from tests.support.files import TEXT, pdf
from tests.support.use_cases import (
    approve,
    current_documents,
    emails,
    fields_of,
    next_event,
    refused,
    reject,
    submit,
    today,
    upload,
)


async def resubmit(
    deps: Dependencies,
    caller: Caller | None,
    request: CertificateRequest,
    documents: list[UploadedDocument],
    note: str | None = None,
) -> CertificateRequest:
    return await resubmit_certificate_request(
        deps,
        caller.principal if caller else None,
        ResubmitCommand(request.id, documents, note),
    )


def new_rut() -> UploadedDocument:
    return upload(DocumentKind.RUT, pdf("RUT-2026"), name="rut-actualizado.pdf")


async def test_resubmission_replaces_the_flagged_document_and_keeps_the_others(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest, clock: FixedClock
) -> None:
    before = await current_documents(rejected)
    clock.advance(timedelta(days=1))

    request = await resubmit(deps, customer, rejected, [new_rut()], note="RUT actualizado.")

    stored = await CertificateRequest.get(id=rejected.id)
    assert request.id == rejected.id
    assert (stored.status, stored.attempt) == (RequestStatus.IN_REVIEW, 2)
    assert stored.submitted_at == clock.now()
    assert (stored.observations, stored.decided_at) == (None, None)

    after = await current_documents(rejected)
    assert after[DocumentKind.LEGAL_REPRESENTATIVE_ID].id == (
        before[DocumentKind.LEGAL_REPRESENTATIVE_ID].id
    )
    assert after[DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE].id == (
        before[DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE].id
    )
    rut = after[DocumentKind.RUT]
    assert rut.id != before[DocumentKind.RUT].id
    assert (rut.file_name, rut.attempt) == ("rut-actualizado.pdf", 2)
    assert rut.observation is None
    # The replaced file stays for history, superseded, with the reviewer's observation.
    old = await RequestDocument.get(id=before[DocumentKind.RUT].id)
    assert old.superseded_at == clock.now()
    assert old.observation == "Adjunta el RUT de este año."


async def test_resubmission_is_kept_in_the_history_with_its_note(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest
) -> None:
    await resubmit(deps, customer, rejected, [new_rut()], note="  RUT actualizado.  ")

    history = await RequestStatusChange.filter(request_id=rejected.id).order_by("id")
    assert fields_of(history, "from_status", "to_status") == [
        (None, RequestStatus.IN_REVIEW),
        (RequestStatus.IN_REVIEW, RequestStatus.REJECTED),
        (RequestStatus.REJECTED, RequestStatus.IN_REVIEW),
    ]
    assert (history[2].note, history[2].actor_id, history[2].actor_role) == (
        "RUT actualizado.",
        customer.user.id,
        Role.CUSTOMER,
    )


async def test_resubmission_queues_a_received_email_for_the_new_attempt_and_publishes(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest
) -> None:
    async with deps.bus.subscribe() as events:
        await resubmit(deps, customer, rejected, [new_rut()])
        event = await next_event(events)

    received = await emails(kind=EmailKind.REQUEST_RECEIVED)
    assert [e.subject for e in received] == [
        "Recibimos tu solicitud de certificado digital",
        "Recibimos tu solicitud corregida de certificado digital",
    ]
    change = await RequestStatusChange.filter(request_id=rejected.id).order_by("-id").first()
    assert change is not None
    assert (event.subject, event.subject_id, event.change_id) == ("request", rejected.id, change.id)


async def test_every_flagged_document_must_be_replaced(
    deps: Dependencies, customer: Caller, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await reject(
        deps,
        reviewer,
        submitted,
        flagged={
            DocumentKind.RUT: "Desactualizado.",
            DocumentKind.LEGAL_REPRESENTATIVE_ID: "Ilegible.",
        },
    )
    cedula = upload(DocumentKind.LEGAL_REPRESENTATIVE_ID, pdf("cedula-2"))

    error = await refused(
        resubmit(deps, customer, submitted, [cedula]),
        ErrorCode.MISSING_DOCUMENT,
        field="documents",
        message="Debes reemplazar el documento «RUT» que el revisor marcó.",
    )
    assert "«RUT»" in error.message
    assert len(error.errors) == 1

    error = await refused(
        resubmit(deps, customer, submitted, []),
        ErrorCode.MISSING_DOCUMENT,
        field="documents",
        message="Debes reemplazar el documento «RUT» que el revisor marcó.",
    )
    assert len(error.errors) == 2


async def test_without_flagged_documents_nothing_has_to_be_replaced(
    deps: Dependencies, customer: Caller, reviewer: Caller, submitted: CertificateRequest
) -> None:
    before = await current_documents(submitted)
    await reject(deps, reviewer, submitted, "Revisa el número de cédula del representante.")

    request = await resubmit_certificate_request(
        deps,
        customer.principal,
        ResubmitCommand(
            submitted.id,
            [],
            legal_representative=LegalRepresentative(
                "Laura Gómez Ñáñez", IdentityDocumentType.CC, "1020304051"
            ),
        ),
    )

    assert (request.status, request.attempt) == (RequestStatus.IN_REVIEW, 2)
    assert {k: d.id for k, d in (await current_documents(submitted)).items()} == {
        k: d.id for k, d in before.items()
    }


async def test_only_a_rejected_request_may_be_resubmitted(
    deps: Dependencies, customer: Caller, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await refused(
        resubmit(deps, customer, submitted, [new_rut()]),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="La solicitud está en estado «En trámite» y no se puede volver a enviar.",
    )

    await approve(deps, reviewer, submitted)
    await refused(
        resubmit(deps, customer, submitted, [new_rut()]),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="La solicitud está en estado «Completado» y no se puede volver a enviar.",
    )
    assert await Certificate.filter(request_id=submitted.id).count() == 1


async def test_a_customer_of_another_company_gets_not_found(
    deps: Dependencies, other_customer: Caller, rejected: CertificateRequest
) -> None:
    await refused(
        resubmit(deps, other_customer, rejected, [new_rut()]),
        ErrorCode.NOT_FOUND,
        message="No encontramos la solicitud.",
    )


async def test_a_missing_request_is_not_found(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest
) -> None:
    missing = CertificateRequest(id=rejected.id + 1000)
    await refused(
        resubmit(deps, customer, missing, [new_rut()]),
        ErrorCode.NOT_FOUND,
        message="No encontramos la solicitud.",
    )


async def test_reviewers_may_not_resubmit_and_anonymous_callers_are_unauthenticated(
    deps: Dependencies, reviewer: Caller, rejected: CertificateRequest
) -> None:
    await refused(
        resubmit(deps, reviewer, rejected, [new_rut()]),
        ErrorCode.FORBIDDEN,
        message="Tu rol no permite reenviar solicitudes de certificado.",
    )
    await refused(
        resubmit(deps, None, rejected, [new_rut()]),
        ErrorCode.UNAUTHENTICATED,
        message="Inicia sesión: envía un token válido en el encabezado Authorization.",
    )


async def test_an_operator_may_resubmit_for_the_company(
    deps: Dependencies, admin: Caller, rejected: CertificateRequest
) -> None:
    request = await resubmit(deps, admin, rejected, [new_rut()])
    assert (request.status, request.attempt) == (RequestStatus.IN_REVIEW, 2)


async def test_a_kept_chamber_certificate_that_became_too_old_must_be_replaced(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    clock: FixedClock,
) -> None:
    request = await submit(deps, customer, chamber_age_days=85)
    await reject(deps, reviewer, request, flagged={DocumentKind.RUT: "Desactualizado."})
    clock.advance(timedelta(days=6))  # the chamber certificate is now 91 days old

    error = await refused(
        resubmit(deps, customer, request, [new_rut()]),
        ErrorCode.INVALID_DOCUMENT,
        field="documents",
        message="El certificado de existencia y representación legal que adjuntaste fue expedido el 31/08/2026 y ya tiene más de 90 días. Reemplázalo por uno expedido desde el 01/09/2026.",
    )
    assert "90 días" in error.message

    chamber = upload(
        DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE, pdf("CAMARA-2"), issued_on=today(deps)
    )
    resubmitted = await resubmit(deps, customer, request, [new_rut(), chamber])
    assert resubmitted.attempt == 2
    assert (await current_documents(request))[
        DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE
    ].issued_on == today(deps)


async def test_a_kept_chamber_certificate_exactly_90_days_old_is_still_fine(
    deps: Dependencies, customer: Caller, reviewer: Caller, clock: FixedClock
) -> None:
    request = await submit(deps, customer, chamber_age_days=85)
    await reject(deps, reviewer, request, flagged={DocumentKind.RUT: "Desactualizado."})
    clock.advance(timedelta(days=5))

    assert (await resubmit(deps, customer, request, [new_rut()])).attempt == 2


async def test_replacement_files_are_validated_by_content(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest
) -> None:
    fake = upload(DocumentKind.RUT, TEXT, name="rut.pdf")
    await refused(
        resubmit(deps, customer, rejected, [fake]),
        ErrorCode.INVALID_DOCUMENT,
        "documents.0",
        message="El archivo «rut.pdf» no es un PDF ni una imagen JPEG o PNG. Se revisa el contenido del archivo; la extensión del nombre no cuenta.",
    )


async def test_two_files_of_one_kind_are_refused(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest
) -> None:
    second = upload(DocumentKind.RUT, pdf("RUT-otro"))
    await refused(
        resubmit(deps, customer, rejected, [new_rut(), second]),
        ErrorCode.INVALID_INPUT,
        "documents",
        message="Adjunta un solo archivo por tipo de documento.",
    )


async def test_an_overlong_note_is_refused(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest
) -> None:
    await refused(
        resubmit(deps, customer, rejected, [new_rut()], note="x" * 2001),
        ErrorCode.INVALID_INPUT,
        "note",
        message="La nota no puede tener más de 2000 caracteres.",
    )
