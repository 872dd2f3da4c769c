"""Rejecting a request: observations required, per-document observations, one email."""

from domain.clock import FixedClock
from domain.enums import DocumentKind, ErrorCode, RequestStatus, Role
from models import CertificateRequest, EmailKind, RequestDocument, RequestStatusChange
from services.dependencies import Dependencies
from services.reject_certificate_request import (
    DocumentObservation,
    RejectCommand,
    reject_certificate_request,
)
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from tests.support.factories import Caller
from tests.support.files import pdf
from tests.support.use_cases import (
    approve,
    assert_no_event,
    current_documents,
    emails,
    fields_of,
    next_event,
    refused,
    reject,
    submit,
    upload,
)


def command(
    request: CertificateRequest, observations: str, *notes: tuple[int, str]
) -> RejectCommand:
    return RejectCommand(
        request.id, observations, [DocumentObservation(doc_id, text) for doc_id, text in notes]
    )


async def test_rejection_saves_the_observations_and_flags_only_the_named_document(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest, clock: FixedClock
) -> None:
    documents = await current_documents(submitted)
    rut = documents[DocumentKind.RUT]

    request = await reject_certificate_request(
        deps,
        reviewer.principal,
        command(submitted, "  El RUT no está actualizado.  ", (rut.id, " Adjunta el de 2026. ")),
    )

    stored = await CertificateRequest.get(id=submitted.id)
    assert request.status is RequestStatus.REJECTED
    assert (stored.status, stored.observations, stored.decided_at) == (
        RequestStatus.REJECTED,
        "El RUT no está actualizado.",
        clock.now(),
    )
    observations = {
        d.kind: d.observation for d in await RequestDocument.filter(request_id=submitted.id)
    }
    assert observations == {
        DocumentKind.RUT: "Adjunta el de 2026.",
        DocumentKind.LEGAL_REPRESENTATIVE_ID: None,
        DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE: None,
    }
    history = await RequestStatusChange.filter(request_id=submitted.id).order_by("id")
    assert fields_of(history, "from_status", "to_status", "actor_id", "actor_role", "note")[-1] == (
        RequestStatus.IN_REVIEW,
        RequestStatus.REJECTED,
        reviewer.user.id,
        Role.REVIEWER,
        "El RUT no está actualizado.",
    )


async def test_rejection_queues_one_email_with_the_observations_and_flagged_documents(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await reject(
        deps,
        reviewer,
        submitted,
        "El RUT no está actualizado.",
        {DocumentKind.RUT: "Adjunta el RUT expedido este año."},
    )

    rejections = await emails(kind=EmailKind.REQUEST_REJECTED)
    assert len(rejections) == 1
    email = rejections[0]
    assert email.subject == "Rechazo solicitud de certificado digital"
    assert email.to_email == "contacto@ejemplo.co"
    assert "El RUT no está actualizado." in email.body_text
    assert "Adjunta el RUT expedido este año." in email.body_text


async def test_rejection_publishes_its_status_change(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    async with deps.bus.subscribe() as events:
        await reject(deps, reviewer, submitted)
        event = await next_event(events)
    change = await RequestStatusChange.get(
        request_id=submitted.id, to_status=RequestStatus.REJECTED
    )
    assert (event.subject, event.subject_id, event.change_id) == (
        "request",
        submitted.id,
        change.id,
    )


async def test_observations_are_required(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    rut = (await current_documents(submitted))[DocumentKind.RUT]
    async with deps.bus.subscribe() as events:
        for blank in ("", "   \n\t"):
            await refused(
                reject_certificate_request(
                    deps, reviewer.principal, command(submitted, blank, (rut.id, "Ilegible."))
                ),
                ErrorCode.OBSERVATIONS_REQUIRED,
                "observations",
                message="Escribe las observaciones: la empresa necesita saber qué corregir.",
            )
        await assert_no_event(events, deps.bus)
    stored = await CertificateRequest.get(id=submitted.id)
    assert stored.status is RequestStatus.IN_REVIEW
    assert (await RequestDocument.get(id=rut.id)).observation is None


async def test_a_blank_document_observation_is_refused(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    rut = (await current_documents(submitted))[DocumentKind.RUT]
    await refused(
        reject_certificate_request(
            deps, reviewer.principal, command(submitted, "Corrige el RUT.", (rut.id, "  "))
        ),
        ErrorCode.INVALID_INPUT,
        "documentObservations.0.observation",
        message="La observación del documento es obligatoria.",
    )


async def test_a_document_of_another_request_is_not_found_and_nothing_is_flagged(
    deps: Dependencies,
    reviewer: Caller,
    submitted: CertificateRequest,
    other_customer: Caller,
) -> None:
    foreign = await submit(deps, other_customer)
    foreign_rut = (await current_documents(foreign))[DocumentKind.RUT]
    own_rut = (await current_documents(submitted))[DocumentKind.RUT]

    await refused(
        reject_certificate_request(
            deps,
            reviewer.principal,
            command(submitted, "Corrige.", (own_rut.id, "Ilegible."), (foreign_rut.id, "X")),
        ),
        ErrorCode.NOT_FOUND,
        "documentObservations.1.documentId",
        message="Ese documento no forma parte de la solicitud.",
    )

    assert (await RequestDocument.get(id=own_rut.id)).observation is None
    assert (await RequestDocument.get(id=foreign_rut.id)).observation is None
    assert (await CertificateRequest.get(id=submitted.id)).status is RequestStatus.IN_REVIEW


async def test_a_superseded_document_may_not_be_flagged(
    deps: Dependencies, reviewer: Caller, customer: Caller, rejected: CertificateRequest
) -> None:
    old_rut = (await current_documents(rejected))[DocumentKind.RUT]
    await resubmit_certificate_request(
        deps,
        customer.principal,
        ResubmitCommand(rejected.id, [upload(DocumentKind.RUT, pdf("RUT-v2"))]),
    )

    await refused(
        reject_certificate_request(
            deps, reviewer.principal, command(rejected, "Otra vez.", (old_rut.id, "Ilegible."))
        ),
        ErrorCode.NOT_FOUND,
        field="documentObservations.0.documentId",
        message="Ese documento no forma parte de la solicitud.",
    )


async def test_a_second_rejection_after_resubmission_sends_a_second_email(
    deps: Dependencies, reviewer: Caller, customer: Caller, rejected: CertificateRequest
) -> None:
    await resubmit_certificate_request(
        deps,
        customer.principal,
        ResubmitCommand(rejected.id, [upload(DocumentKind.RUT, pdf("RUT-v2"))]),
    )
    again = await reject(deps, reviewer, rejected, "La cédula está vencida.")

    assert (again.status, again.attempt) == (RequestStatus.REJECTED, 2)
    subjects = [e.subject for e in await emails(kind=EmailKind.REQUEST_REJECTED)]
    assert subjects == ["Rechazo solicitud de certificado digital"] * 2


async def test_customers_may_not_reject_and_anonymous_callers_are_unauthenticated(
    deps: Dependencies, customer: Caller, submitted: CertificateRequest
) -> None:
    await refused(
        reject_certificate_request(deps, customer.principal, command(submitted, "No.")),
        ErrorCode.FORBIDDEN,
        message="Tu rol no permite rechazar solicitudes.",
    )
    await refused(
        reject_certificate_request(deps, None, command(submitted, "No.")),
        ErrorCode.UNAUTHENTICATED,
        message="Inicia sesión: envía un token válido en el encabezado Authorization.",
    )


async def test_an_operator_may_reject(
    deps: Dependencies, admin: Caller, submitted: CertificateRequest
) -> None:
    request = await reject(deps, admin, submitted)
    assert request.status is RequestStatus.REJECTED


async def test_a_rejected_request_may_not_be_rejected_again(
    deps: Dependencies, reviewer: Caller, rejected: CertificateRequest
) -> None:
    await refused(
        reject_certificate_request(deps, reviewer.principal, command(rejected, "Otra vez.")),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="La solicitud está en estado «Rechazado» y no se puede rechazar.",
    )
    assert len(await emails(kind=EmailKind.REQUEST_REJECTED)) == 1


async def test_a_completed_request_may_not_be_rejected(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await approve(deps, reviewer, submitted)
    await refused(
        reject_certificate_request(deps, reviewer.principal, command(submitted, "Tarde.")),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="La solicitud está en estado «Completado» y no se puede rechazar.",
    )


async def test_a_missing_request_is_not_found(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await refused(
        reject_certificate_request(
            deps, reviewer.principal, RejectCommand(submitted.id + 1000, "No existe.")
        ),
        ErrorCode.NOT_FOUND,
        message="No encontramos la solicitud.",
    )


async def test_overlong_observations_are_refused(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await refused(
        reject_certificate_request(deps, reviewer.principal, command(submitted, "x" * 5001)),
        ErrorCode.INVALID_INPUT,
        "observations",
        message="Las observaciones no pueden tener más de 5000 caracteres.",
    )
