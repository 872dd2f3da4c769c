"""Issue 13, point by point, through the use cases: codes AND Spanish messages, and what changed.

1. a rejected request blocks a new one until corrected or withdrawn (also automatically);
2. resubmission and approval run the same eligibility decision as submission;
3. a resubmission may correct the form, and an empty one is refused;
4. a future-dated certificate is Emitido until its start, the current one stays Activo;
6. a replaced certificate cannot come back; the database holds one ACTIVE per company;
9. bounds on dates; 10. words that agree, «titular» for a natural person.
(5, 7 and 8 are in tests/domain/test_notices.py, tests/api/test_date_inputs.py and the
stateful test.)
"""

from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

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
from domain.errors import DomainError
from models import Certificate, CertificateRequest, Company, RequestStatusChange
from models.outbox import EmailKind
from services.change_certificate_state import ChangeStateCommand, change_certificate_state
from services.dependencies import Dependencies
from services.expire_and_remind import run_daily_job
from services.operators import create_company
from services.reject_certificate_request import RejectCommand, clean_observations
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from services.submit_certificate_request import LegalRepresentative
from services.tracking import load_tracking
from services.withdraw_certificate_request import WithdrawCommand, withdraw_certificate_request
from tests.support.factories import Caller, make_caller, make_company
from tests.support.use_cases import (
    ONE_YEAR,
    approve,
    document_set,
    emails,
    refused,
    reject,
    submit,
    today,
    upload,
)


def withdraw(
    deps: Dependencies, caller: Caller, request: CertificateRequest, reason: str | None = None
) -> Coroutine[Any, Any, CertificateRequest]:
    return withdraw_certificate_request(deps, caller.principal, WithdrawCommand(request.id, reason))


# --- 1. A rejected request is the one to correct ------------------------------------------------


async def test_the_tracking_screen_names_the_request_awaiting_correction(
    deps: Dependencies, company: Company, rejected: CertificateRequest
) -> None:
    screen = await load_tracking(company, deps.clock.now())
    assert screen.request_awaiting_correction is not None
    assert screen.request_awaiting_correction.id == rejected.id
    assert screen.can_submit_request is False
    assert [n.code for n in screen.notices] == ["REQUEST_REJECTED"]


async def test_withdrawing_a_rejected_request_is_final_kept_in_history_and_emailed(
    deps: Dependencies, customer: Caller, company: Company, rejected: CertificateRequest
) -> None:
    withdrawn = await withdraw(deps, customer, rejected, "  Ya no lo necesitamos. ")

    assert withdrawn.status is RequestStatus.WITHDRAWN
    last = await RequestStatusChange.filter(request_id=rejected.id).order_by("-id").first()
    assert last is not None
    assert (last.from_status, last.to_status, last.actor_id, last.note) == (
        RequestStatus.REJECTED,
        RequestStatus.WITHDRAWN,
        customer.user.id,
        "Ya no lo necesitamos.",
    )
    [email] = await emails(kind=EmailKind.REQUEST_WITHDRAWN)
    assert (
        email.subject == f"Desististe de tu solicitud de certificado digital número {rejected.id}"
    )
    assert "quedó en estado «Desistida»: desististe de ella desde el portal." in email.body_text
    assert "Motivo: Ya no lo necesitamos." in email.body_text
    screen = await load_tracking(company, deps.clock.now())
    assert (screen.request_awaiting_correction, screen.next_request_kind) == (None, RequestKind.NEW)

    error = await refused(
        withdraw(deps, customer, rejected),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="La solicitud está en estado «Desistida» y no se puede desistir de ella.",
    )
    assert (
        error.message == "La solicitud está en estado «Desistida» y no se puede desistir de ella."
    )


async def test_only_a_rejected_request_may_be_withdrawn_and_only_by_its_company(
    deps: Dependencies,
    customer: Caller,
    other_customer: Caller,
    reviewer: Caller,
    submitted: CertificateRequest,
) -> None:
    error = await refused(
        withdraw(deps, customer, submitted),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="La solicitud está en estado «En trámite» y no se puede desistir de ella.",
    )
    assert (
        error.message == "La solicitud está en estado «En trámite» y no se puede desistir de ella."
    )
    await refused(
        withdraw(deps, other_customer, submitted),
        ErrorCode.NOT_FOUND,
        message="No encontramos la solicitud.",
    )
    await refused(
        withdraw(deps, reviewer, submitted),
        ErrorCode.FORBIDDEN,
        message="Tu rol no permite desistir de solicitudes.",
    )


async def test_a_rejection_nobody_corrects_is_withdrawn_by_the_job_after_the_setting(
    deps: Dependencies, rejected: CertificateRequest, clock: FixedClock
) -> None:
    clock.advance(timedelta(days=60) - timedelta(seconds=1))
    assert (await run_daily_job(deps, clock.now())).withdrawn == 0
    clock.advance(timedelta(seconds=1))
    assert (await run_daily_job(deps, clock.now())).withdrawn == 1

    row = await CertificateRequest.get(id=rejected.id)
    assert row.status is RequestStatus.WITHDRAWN
    last = await RequestStatusChange.filter(request_id=rejected.id).order_by("-id").first()
    assert last is not None
    assert (last.actor_id, last.actor_name, last.note) == (
        None,
        "Sistema",
        "Desistida automáticamente: la solicitud llevaba 60 días rechazada sin corregirse.",
    )
    [email] = await emails(kind=EmailKind.REQUEST_WITHDRAWN)
    assert "pasaron 60 días sin que se corrigiera y la desistimos automáticamente." in (
        email.body_text
    )
    assert (await run_daily_job(deps, clock.now())).withdrawn == 0


# --- 2. One eligibility decision ------------------------------------------------------------------


async def renewal_of_revoked(
    deps: Dependencies, customer: Caller, reviewer: Caller, clock: FixedClock
) -> CertificateRequest:
    """A renewal in review of a certificate that the company then revoked."""
    request = await submit(deps, customer)
    _, certificate = await approve(deps, reviewer, request)
    clock.set(add_months(certificate.valid_until, -1) + timedelta(hours=1))
    renewal = await submit(deps, customer, chamber_age_days=1)
    assert (renewal.kind, renewal.renewal_of_id) == (RequestKind.RENEWAL, certificate.id)
    await change_certificate_state(
        deps,
        customer.principal,
        ChangeStateCommand(certificate.id, CertificateStatus.REVOKED, "Clave comprometida."),
    )
    return renewal


NOT_ELIGIBLE = (
    "El certificado que esta solicitud renueva ya no se puede renovar: fue revocado o ya tiene "
    "una renovación. Esta solicitud no puede dar lugar a un certificado; la empresa debe desistir "
    "de ella y enviar una solicitud nueva."
)


async def test_approving_a_request_no_longer_eligible_is_refused(
    deps: Dependencies, customer: Caller, reviewer: Caller, clock: FixedClock
) -> None:
    renewal = await renewal_of_revoked(deps, customer, reviewer, clock)
    error = await refused(
        approve(deps, reviewer, renewal, "SN-0002"),
        ErrorCode.REQUEST_NOT_ELIGIBLE,
        message="El certificado que esta solicitud renueva ya no se puede renovar: fue revocado o ya tiene una renovación. Esta solicitud no puede dar lugar a un certificado; la empresa debe desistir de ella y enviar una solicitud nueva.",
    )
    assert error.message == NOT_ELIGIBLE
    assert await Certificate.filter(company_id=renewal.company_id).count() == 1


async def test_resubmitting_a_request_no_longer_eligible_is_refused(
    deps: Dependencies, customer: Caller, reviewer: Caller, clock: FixedClock
) -> None:
    renewal = await renewal_of_revoked(deps, customer, reviewer, clock)
    await reject(deps, reviewer, renewal)
    command = ResubmitCommand(renewal.id, [], validity_starts_on=today(deps) + timedelta(days=1))
    error = await refused(
        resubmit_certificate_request(deps, customer.principal, command),
        ErrorCode.REQUEST_NOT_ELIGIBLE,
        message="El certificado que esta solicitud renueva ya no se puede renovar: fue revocado o ya tiene una renovación. Esta solicitud no puede dar lugar a un certificado; la empresa debe desistir de ella y enviar una solicitud nueva.",
    )
    assert error.message == NOT_ELIGIBLE


# --- 3. Resubmission corrects the form; an empty one is refused -----------------------------------


async def test_a_resubmission_corrects_the_form_and_history_says_what_changed(
    deps: Dependencies, customer: Caller, rejected: CertificateRequest
) -> None:
    new_start = today(deps) + timedelta(days=5)
    command = ResubmitCommand(
        rejected.id,
        [upload(DocumentKind.RUT, name="rut-2026.pdf")],
        note="Corregí el RUT.",
        legal_representative=LegalRepresentative(
            " Laura Gómez ", IdentityDocumentType.CE, "98.765"
        ),
        validity_starts_on=new_start,
    )
    request = await resubmit_certificate_request(deps, customer.principal, command)

    row = await CertificateRequest.get(id=rejected.id)
    assert (
        row.legal_representative_name,
        row.legal_representative_id_type,
        row.legal_representative_id_number,
        row.validity_starts_on,
    ) == ("Laura Gómez", IdentityDocumentType.CE, "98765", new_start)
    last = await RequestStatusChange.filter(request_id=request.id).order_by("-id").first()
    assert last is not None
    assert last.note == (
        "Corregí el RUT.\nDatos del representante legal: Laura Gómez, CE 98765.\n"
        "Fecha de inicio de vigencia: del 24/11/2026 al 29/11/2026."
    )


async def test_an_empty_resubmission_is_refused(
    deps: Dependencies, customer: Caller, reviewer: Caller, submitted: CertificateRequest
) -> None:
    await reject(deps, reviewer, submitted)
    same_start = ResubmitCommand(submitted.id, [], validity_starts_on=today(deps))
    for command in (ResubmitCommand(submitted.id, []), same_start):
        error = await refused(
            resubmit_certificate_request(deps, customer.principal, command),
            ErrorCode.NOTHING_TO_RESUBMIT,
            message="No hay nada que reenviar: reemplaza al menos un documento o corrige algún dato de la solicitud.",
        )
        assert error.message == (
            "No hay nada que reenviar: reemplaza al menos un documento o corrige algún dato de "
            "la solicitud."
        )


# --- 4. A certificate that starts later ------------------------------------------------------------


async def test_a_renewal_dated_ahead_leaves_the_current_certificate_active_until_it_starts(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    certificate: Certificate,
    clock: FixedClock,
) -> None:
    clock.set(add_months(certificate.valid_until, -1) + timedelta(hours=1))
    renewal = await submit(deps, customer, chamber_age_days=1)
    start = certificate.valid_until - timedelta(days=10)
    _, new = await approve(deps, reviewer, renewal, "SN-0002", start, start + ONE_YEAR)

    assert new.status is CertificateStatus.ISSUED
    assert (await Certificate.get(id=certificate.id)).status is CertificateStatus.ACTIVE
    [approved] = await emails(
        kind=EmailKind.REQUEST_APPROVED, event_key__contains=f":{renewal.id}:"
    )
    assert "Podrás usarlo para firmar tus facturas electrónicas desde el" in approved.body_text
    assert "Ya puedes usarlo" not in approved.body_text

    clock.set(start)
    report = await run_daily_job(deps, clock.now())
    assert (report.started, report.superseded) == (1, 1)
    assert (await Certificate.get(id=certificate.id)).status is CertificateStatus.INACTIVE
    assert (await Certificate.get(id=new.id)).status is CertificateStatus.ACTIVE
    [started] = await emails(kind=EmailKind.CERTIFICATE_STARTED)
    assert started.subject == "Tu certificado digital ya está activo"
    assert "Reemplaza al certificado número de serie SN-0001" in started.body_text


# --- 6. A replaced certificate stays aside; the database holds one ACTIVE ---------------------------


async def test_the_database_refuses_a_second_active_certificate(
    deps: Dependencies, certificate: Certificate
) -> None:
    other = await Certificate.get(id=certificate.id)
    with pytest.raises(IntegrityError):
        await Certificate.create(
            company_id=other.company_id,
            request_id=(await submit_other_request(deps, other.company_id)).id,
            serial_number="SN-DOBLE",
            issuer=other.issuer,
            status=CertificateStatus.ACTIVE,
            valid_from=other.valid_from,
            valid_until=other.valid_until,
        )


async def submit_other_request(deps: Dependencies, company_id: int) -> CertificateRequest:
    """A request row written directly (no rule would let one through): only to pin the index."""
    caller = await make_caller(Role.CUSTOMER, await Company.get(id=company_id))
    return await CertificateRequest.create(
        company_id=company_id,
        kind=RequestKind.NEW,
        status=RequestStatus.COMPLETED,
        legal_representative_name="X",
        legal_representative_id_type=IdentityDocumentType.CC,
        legal_representative_id_number="123",
        validity_starts_on=today(deps),
        submitted_at=deps.clock.now(),
        submitted_by_id=caller.user.id,
    )


# --- 9. Bounds on dates ------------------------------------------------------------------------------


async def test_a_start_more_than_90_days_ahead_is_refused(
    deps: Dependencies, customer: Caller
) -> None:
    error = await refused(
        submit(deps, customer, validity_starts_on=today(deps) + timedelta(days=91)),
        ErrorCode.VALIDITY_OUT_OF_BOUNDS,
        "validityStartsOn",
        message="La fecha de inicio de vigencia puede ser como máximo 90 días después de hoy, hasta el 22/02/2027.",
    )
    assert error.message == (
        "La fecha de inicio de vigencia puede ser como máximo 90 días después de hoy, hasta el "
        "22/02/2027."
    )
    assert (await submit(deps, customer, validity_starts_on=today(deps) + timedelta(days=90))).id


@pytest.mark.parametrize(
    ("months", "days", "message"),
    [
        (0, 20, "entre el 24/12/2026 y el 24/11/2029"),
        (37, 0, "entre el 24/12/2026 y el 24/11/2029"),
    ],
)
async def test_a_duration_the_authority_does_not_issue_is_refused(
    deps: Dependencies,
    reviewer: Caller,
    submitted: CertificateRequest,
    months: int,
    days: int,
    message: str,
) -> None:
    start = deps.clock.now()
    until = add_months(start, months) + timedelta(days=days)
    error = await refused(
        approve(deps, reviewer, submitted, "SN-9", start, until),
        ErrorCode.VALIDITY_OUT_OF_BOUNDS,
        "validUntil",
        message="La vigencia del certificado debe durar entre 1 mes y 36 meses: con ese inicio, la fecha de vencimiento debe estar entre el 24/12/2026 y el 24/11/2029.",
    )
    assert error.message == (
        "La vigencia del certificado debe durar entre 1 mes y 36 meses: con ese inicio, la "
        f"fecha de vencimiento debe estar {message}."
    )


async def test_a_valid_from_long_after_the_requested_start_is_refused(
    deps: Dependencies, reviewer: Caller, submitted: CertificateRequest
) -> None:
    start = deps.clock.now() + timedelta(days=31)
    error = await refused(
        approve(deps, reviewer, submitted, "SN-9", start, start + ONE_YEAR),
        ErrorCode.VALIDITY_OUT_OF_BOUNDS,
        "validFrom",
        message="La vigencia debe empezar a más tardar 30 días después de la fecha pedida por la empresa o de hoy, si ya pasó (24/11/2026), es decir, hasta el 24/12/2026.",
    )
    assert error.message == (
        "La vigencia debe empezar a más tardar 30 días después de la fecha pedida por la empresa "
        "o de hoy, si ya pasó (24/11/2026), es decir, hasta el 24/12/2026."
    )


# --- 10. Words --------------------------------------------------------------------------------------


async def test_a_natural_person_is_told_about_the_holder(db: str, deps: Dependencies) -> None:
    company = await make_company(PersonType.NATURAL_PERSON)
    customer = await make_caller(Role.CUSTOMER, company)
    blank = LegalRepresentative("  ", IdentityDocumentType.CC, "1020304050")
    error = await refused(
        submit(
            deps,
            customer,
            legal_representative=blank,
            documents=document_set(None, PersonType.NATURAL_PERSON),
        ),
        ErrorCode.INVALID_INPUT,
        "legalRepresentative.name",
        message="El nombre del titular es obligatorio.",
    )
    assert error.message == "El nombre del titular es obligatorio."


async def test_feminine_and_plural_fields_agree(deps: Dependencies, reviewer: Caller) -> None:
    with pytest.raises(DomainError) as refused_name:
        await create_company(
            nit="900123456-8",
            legal_name="   ",
            person_type=PersonType.LEGAL_ENTITY,
            contact_name="Ana",
            contact_email="ana@ejemplo.co",
        )
    assert refused_name.value.message == "La razón social es obligatoria."
    with pytest.raises(DomainError) as too_long:
        clean_observations(RejectCommand(1, "x" * 5001, []))
    assert too_long.value.message == "Las observaciones no pueden tener más de 5000 caracteres."
