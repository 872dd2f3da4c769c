"""Approving a request issues the certificate; a renewal's approval sets the old one aside."""

import dataclasses
from datetime import UTC, datetime, timedelta

from domain.calendar import add_months
from domain.clock import FixedClock
from domain.enums import CertificateStatus, ErrorCode, RequestKind, RequestStatus, Role
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    EmailKind,
    RequestStatusChange,
)
from services.approve_certificate_request import ApproveCommand, approve_certificate_request
from services.dependencies import Dependencies
from tests.support.factories import Caller
from tests.support.use_cases import (
    CommitProbingBus,
    approve,
    approve_command,
    assert_no_event,
    emails,
    fields_of,
    next_event,
    refused,
    submit,
    today,
)

VALID_FROM = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)  # 26 Nov 2026, midnight in Bogotá
VALID_UNTIL = datetime(2027, 11, 26, 5, 0, tzinfo=UTC)


async def renew(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    certificate: Certificate,
    clock: FixedClock,
) -> tuple[CertificateRequest, Certificate]:
    """Move into the renewal window of `certificate`, submit and approve the renewal."""
    clock.set(add_months(certificate.valid_until, -1) + timedelta(days=1))
    renewal = await submit(deps, customer)
    assert (renewal.kind, renewal.renewal_of_id) == (RequestKind.RENEWAL, certificate.id)
    return await approve(deps, reviewer, renewal, serial="SN-0002")


async def test_approval_issues_a_certificate_of_andes_that_waits_for_its_start(
    deps: Dependencies,
    reviewer: Caller,
    submitted: CertificateRequest,
    company: Company,
    clock: FixedClock,
) -> None:
    request, certificate = await approve(
        deps, reviewer, submitted, " SN-0001 ", VALID_FROM, VALID_UNTIL
    )

    stored = await Certificate.get(id=certificate.id)
    assert (stored.status, stored.issuer, stored.serial_number) == (
        CertificateStatus.ISSUED,
        "Andes SCD",
        "SN-0001",
    )
    assert (stored.valid_from, stored.valid_until) == (VALID_FROM, VALID_UNTIL)
    assert (stored.company_id, stored.request_id, stored.replaced_by_id) == (
        company.id,
        submitted.id,
        None,
    )
    saved_request = await CertificateRequest.get(id=submitted.id)
    assert request.status is RequestStatus.COMPLETED
    assert (saved_request.status, saved_request.decided_at) == (
        RequestStatus.COMPLETED,
        clock.now(),
    )


async def test_approval_is_kept_in_the_request_and_certificate_histories(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    _, certificate = await approve(deps, reviewer, submitted, "SN-0001", VALID_FROM, VALID_UNTIL)

    request_history = await RequestStatusChange.filter(request_id=submitted.id).order_by("id")
    last = request_history[-1]
    assert (last.from_status, last.to_status, last.actor_id, last.actor_role) == (
        RequestStatus.IN_REVIEW,
        RequestStatus.COMPLETED,
        reviewer.user.id,
        Role.REVIEWER,
    )
    assert last.note is not None
    assert "SN-0001" in last.note
    certificate_history = await CertificateStatusChange.filter(certificate_id=certificate.id)
    assert fields_of(certificate_history, "from_status", "to_status", "actor_id") == [
        (None, CertificateStatus.ISSUED, reviewer.user.id)
    ]


async def test_approval_queues_one_email_with_the_certificate_dates(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await approve(deps, reviewer, submitted, "SN-0001", VALID_FROM, VALID_UNTIL)

    approvals = await emails(kind=EmailKind.REQUEST_APPROVED)
    assert len(approvals) == 1
    assert approvals[0].subject == "Andes aprobó tu solicitud de certificado digital"
    assert approvals[0].to_email == "contacto@ejemplo.co"
    body = approvals[0].body_text
    assert "SN-0001" in body
    # The dates as people in Bogotá read them (VALID_FROM is midnight there, 05:00 UTC).
    assert "Vigente desde: 26/11/2026" in body
    assert "Vence el: 26/11/2027" in body


async def test_approval_publishes_its_changes_after_commit(
    deps: Dependencies,
    reviewer: Caller,
    submitted: CertificateRequest,
    probing_bus: CommitProbingBus,
) -> None:
    deps = dataclasses.replace(deps, bus=probing_bus)
    async with deps.bus.subscribe() as events:
        _, certificate = await approve(deps, reviewer, submitted)
        received = [await next_event(events), await next_event(events)]

    assert {(e.subject, e.subject_id) for e in received} == {
        ("certificate", certificate.id),
        ("request", submitted.id),
    }
    assert [p.committed for p in probing_bus.published] == [True, True]


async def test_the_validity_must_end_after_it_starts(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    async with deps.bus.subscribe() as events:
        for until in (VALID_FROM, VALID_FROM - timedelta(seconds=1)):
            await refused(
                approve(deps, reviewer, submitted, "SN-0001", VALID_FROM, until),
                ErrorCode.INVALID_INPUT,
                "validUntil",
                message="La fecha de vencimiento debe ser posterior a la fecha de inicio de vigencia.",
            )
        await assert_no_event(events, deps.bus)
    assert (await CertificateRequest.get(id=submitted.id)).status is RequestStatus.IN_REVIEW


async def test_a_serial_number_already_issued_is_refused(
    deps: Dependencies,
    reviewer: Caller,
    submitted: CertificateRequest,
    other_customer: Caller,
) -> None:
    await approve(deps, reviewer, submitted, "SN-0001")
    other = await submit(deps, other_customer)

    await refused(
        approve(deps, reviewer, other, "SN-0001"),
        ErrorCode.INVALID_INPUT,
        "serialNumber",
        message="Ya existe un certificado de Andes SCD con el número de serie SN-0001.",
    )
    assert (await CertificateRequest.get(id=other.id)).status is RequestStatus.IN_REVIEW


async def test_a_blank_serial_number_is_refused(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await refused(
        approve(deps, reviewer, submitted, "   "),
        ErrorCode.INVALID_INPUT,
        "serialNumber",
        message="El número de serie es obligatorio.",
    )


async def test_the_validity_may_not_start_before_the_date_the_company_asked_for(
    deps: Dependencies, reviewer: Caller, customer: Caller
) -> None:
    starts_on = today(deps) + timedelta(days=2)  # 26 Nov 2026
    request = await submit(deps, customer, validity_starts_on=starts_on)

    # 25 Nov 2026 at 23:59 in Bogotá is still the day before.
    await refused(
        approve(deps, reviewer, request, valid_from=VALID_FROM - timedelta(minutes=1)),
        ErrorCode.INVALID_INPUT,
        "validFrom",
        message="La vigencia no puede empezar antes de la fecha pedida por la empresa (26/11/2026).",
    )
    _, certificate = await approve(deps, reviewer, request, valid_from=VALID_FROM)
    assert certificate.valid_from == VALID_FROM


async def test_approving_a_renewal_sets_the_old_certificate_aside(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    certificate: Certificate,
    clock: FixedClock,
) -> None:
    renewal, new = await renew(deps, customer, reviewer, certificate, clock)

    old = await Certificate.get(id=certificate.id)
    assert (old.status, old.replaced_by_id) == (CertificateStatus.INACTIVE, new.id)
    assert (await Certificate.get(id=new.id)).status is CertificateStatus.ACTIVE
    active = await Certificate.filter(
        company_id=customer.principal.company_id, status=CertificateStatus.ACTIVE
    )
    assert [c.id for c in active] == [new.id]

    superseded = await CertificateStatusChange.filter(certificate_id=certificate.id).order_by("id")
    assert fields_of(superseded, "from_status", "to_status", "actor_id", "actor_role") == [
        (None, CertificateStatus.ACTIVE, reviewer.user.id, Role.REVIEWER),
        (CertificateStatus.ACTIVE, CertificateStatus.INACTIVE, None, None),
    ]
    assert superseded[1].at == clock.now()
    issued = await CertificateStatusChange.filter(certificate_id=new.id)
    assert fields_of(issued, "from_status", "to_status") == [(None, CertificateStatus.ACTIVE)]
    renewal_history = await RequestStatusChange.filter(request_id=renewal.id).order_by("id")
    assert fields_of(renewal_history, "from_status", "to_status") == [
        (None, RequestStatus.IN_REVIEW),
        (RequestStatus.IN_REVIEW, RequestStatus.COMPLETED),
    ]
    approvals = await emails(kind=EmailKind.REQUEST_APPROVED)
    assert len(approvals) == 2
    assert "SN-0002" in approvals[1].body_text


async def test_approving_a_renewal_of_an_expired_certificate_links_it_without_reviving_it(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    certificate: Certificate,
    clock: FixedClock,
) -> None:
    clock.set(certificate.valid_until + timedelta(days=3))
    await Certificate.filter(id=certificate.id).update(status=CertificateStatus.EXPIRED)
    renewal = await submit(deps, customer)

    _, new = await approve(deps, reviewer, renewal, serial="SN-0002")

    old = await Certificate.get(id=certificate.id)
    assert (old.status, old.replaced_by_id) == (CertificateStatus.EXPIRED, new.id)
    assert await CertificateStatusChange.filter(certificate_id=certificate.id).count() == 1


async def test_reviewers_and_operators_approve_customers_may_not(
    deps: Dependencies, customer: Caller, admin: Caller, submitted: CertificateRequest
) -> None:
    await refused(
        approve(deps, customer, submitted),
        ErrorCode.FORBIDDEN,
        message="Tu rol no permite aprobar solicitudes.",
    )
    await refused(
        approve_certificate_request(deps, None, approve_command(deps, submitted)),
        ErrorCode.UNAUTHENTICATED,
        message="Inicia sesión: envía un token válido en el encabezado Authorization.",
    )
    request, _ = await approve(deps, admin, submitted)
    assert request.status is RequestStatus.COMPLETED


async def test_only_a_request_in_review_may_be_approved(
    deps: Dependencies, reviewer: Caller, rejected: CertificateRequest
) -> None:
    await refused(
        approve(deps, reviewer, rejected),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="La solicitud está en estado «Rechazado» y no se puede aprobar.",
    )


async def test_a_completed_request_may_not_be_approved_twice(
    deps: Dependencies, reviewer: Caller, certificate: Certificate
) -> None:
    request = await CertificateRequest.get(id=certificate.request_id)
    await refused(
        approve(deps, reviewer, request, serial="SN-0099"),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="La solicitud está en estado «Completado» y no se puede aprobar.",
    )
    assert len(await emails(kind=EmailKind.REQUEST_APPROVED)) == 1


async def test_a_missing_request_is_not_found(deps: Dependencies, reviewer: Caller) -> None:
    now = deps.clock.now()
    await refused(
        approve_certificate_request(
            deps, reviewer.principal, ApproveCommand(12345, "SN-1", now, now + timedelta(days=365))
        ),
        ErrorCode.NOT_FOUND,
        message="No encontramos la solicitud.",
    )


async def test_a_renewed_certificate_past_its_end_but_not_yet_marked_becomes_expired(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    certificate: Certificate,
    clock: FixedClock,
) -> None:
    """The daily job has not run yet: the old certificate is still ACTIVE past its end date."""
    clock.set(certificate.valid_until + timedelta(days=1))
    renewal = await submit(deps, customer)

    _, new = await approve(deps, reviewer, renewal, serial="SN-0002")

    old = await Certificate.get(id=certificate.id)
    assert (old.status, old.replaced_by_id) == (CertificateStatus.EXPIRED, new.id)
    changes = await CertificateStatusChange.filter(certificate_id=certificate.id).order_by("id")
    assert fields_of(changes, "from_status", "to_status")[-1] == (
        CertificateStatus.ACTIVE,
        CertificateStatus.EXPIRED,
    )
