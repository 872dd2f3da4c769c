"""The company's edit action on its certificate: Inactivo, Activo again, Revocado for good."""

from datetime import timedelta

import pytest

from domain.calendar import add_months
from domain.clock import FixedClock
from domain.enums import CertificateStatus, ErrorCode, Role
from models import Certificate, CertificateStatusChange, EmailKind
from services.change_certificate_state import ChangeStateCommand, change_certificate_state
from services.dependencies import Dependencies
from tests.support.factories import Caller
from tests.support.use_cases import (
    approve,
    assert_no_event,
    emails,
    fields_of,
    next_event,
    refused,
    submit,
)


async def change(
    deps: Dependencies,
    caller: Caller | None,
    certificate: Certificate,
    status: CertificateStatus,
    reason: str | None = None,
) -> Certificate:
    return await change_certificate_state(
        deps,
        caller.principal if caller else None,
        ChangeStateCommand(certificate.id, status, reason),
    )


async def status_of(certificate: Certificate) -> CertificateStatus:
    return (await Certificate.get(id=certificate.id)).status


async def state_emails() -> list[str]:
    return [e.subject for e in await emails(kind=EmailKind.CERTIFICATE_STATE_CHANGED)]


async def test_the_company_sets_its_certificate_aside_and_takes_it_back(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    changed = await change(deps, customer, certificate, CertificateStatus.INACTIVE)
    assert changed.status is CertificateStatus.INACTIVE
    assert await status_of(certificate) is CertificateStatus.INACTIVE

    await change(deps, customer, certificate, CertificateStatus.ACTIVE)
    assert await status_of(certificate) is CertificateStatus.ACTIVE

    history = await CertificateStatusChange.filter(certificate_id=certificate.id).order_by("id")
    assert fields_of(history, "from_status", "to_status", "actor_id", "actor_role", "note")[1:] == [
        (
            CertificateStatus.ACTIVE,
            CertificateStatus.INACTIVE,
            customer.user.id,
            Role.CUSTOMER,
            None,
        ),
        (
            CertificateStatus.INACTIVE,
            CertificateStatus.ACTIVE,
            customer.user.id,
            Role.CUSTOMER,
            None,
        ),
    ]
    assert await state_emails() == [
        "Cambió el estado de tu certificado digital: Inactivo",
        "Cambió el estado de tu certificado digital: Activo",
    ]


async def test_each_change_is_published(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    async with deps.bus.subscribe() as events:
        await change(deps, customer, certificate, CertificateStatus.INACTIVE)
        event = await next_event(events)
    change_row = (
        await CertificateStatusChange.filter(certificate_id=certificate.id).order_by("-id").first()
    )
    assert change_row is not None
    assert (event.subject, event.subject_id, event.company_id, event.change_id) == (
        "certificate",
        certificate.id,
        certificate.company_id,
        change_row.id,
    )


@pytest.mark.parametrize("reason", [None, "", "   "])
async def test_revoking_requires_a_reason(
    deps: Dependencies, customer: Caller, certificate: Certificate, reason: str | None
) -> None:
    async with deps.bus.subscribe() as events:
        await refused(
            change(deps, customer, certificate, CertificateStatus.REVOKED, reason),
            ErrorCode.INVALID_INPUT,
            "reason",
            message="Indica el motivo de la revocación.",
        )
        await assert_no_event(events, deps.bus)
    assert await status_of(certificate) is CertificateStatus.ACTIVE


async def test_revocation_is_final_and_its_reason_is_kept_and_mailed(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    await change(
        deps, customer, certificate, CertificateStatus.REVOKED, "  La clave privada se filtró. "
    )

    assert await status_of(certificate) is CertificateStatus.REVOKED
    last = (
        await CertificateStatusChange.filter(certificate_id=certificate.id).order_by("-id").first()
    )
    assert last is not None
    assert (last.to_status, last.note) == (CertificateStatus.REVOKED, "La clave privada se filtró.")
    mailed = await emails(kind=EmailKind.CERTIFICATE_STATE_CHANGED)
    assert len(mailed) == 1
    assert "La clave privada se filtró." in mailed[0].body_text

    for target, verb in (
        (CertificateStatus.ACTIVE, "activar"),
        (CertificateStatus.INACTIVE, "inactivar"),
    ):
        await refused(
            change(deps, customer, certificate, target, "Me equivoqué."),
            ErrorCode.INVALID_STATE_TRANSITION,
            message=f"El certificado está en estado «Revocado» y no se puede {verb}.",
        )
    assert await status_of(certificate) is CertificateStatus.REVOKED


async def test_an_inactive_certificate_may_be_revoked(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    await change(deps, customer, certificate, CertificateStatus.INACTIVE)
    await change(deps, customer, certificate, CertificateStatus.REVOKED, "Cierre de la empresa.")
    assert await status_of(certificate) is CertificateStatus.REVOKED


async def test_choosing_the_current_status_is_refused(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    await refused(
        change(deps, customer, certificate, CertificateStatus.ACTIVE),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="El certificado ya está en estado «Activo».",
    )


async def test_nobody_may_mark_a_certificate_expired_by_hand(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    await refused(
        change(deps, customer, certificate, CertificateStatus.EXPIRED),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="El certificado está en estado «Activo» y no se puede marcar como vencido.",
    )


@pytest.mark.parametrize(
    ("target", "reason", "verb"),
    [
        (CertificateStatus.INACTIVE, None, "inactivar"),
        (CertificateStatus.REVOKED, "Ya no se usa.", "revocar"),
    ],
)
async def test_after_its_expiry_instant_an_active_certificate_can_no_longer_change(
    deps: Dependencies,
    customer: Caller,
    certificate: Certificate,
    clock: FixedClock,
    target: CertificateStatus,
    reason: str | None,
    verb: str,
) -> None:
    clock.set(certificate.valid_until)
    assert await status_of(certificate) is CertificateStatus.ACTIVE  # not marked yet

    await refused(
        change(deps, customer, certificate, target, reason),
        ErrorCode.INVALID_STATE_TRANSITION,
        message=f"El certificado está en estado «Vencido» y no se puede {verb}.",
    )


async def test_one_second_before_expiry_it_still_may_change(
    deps: Dependencies, customer: Caller, certificate: Certificate, clock: FixedClock
) -> None:
    clock.set(certificate.valid_until - timedelta(seconds=1))
    await change(deps, customer, certificate, CertificateStatus.INACTIVE)
    assert await status_of(certificate) is CertificateStatus.INACTIVE


async def test_an_inactive_certificate_may_not_be_reactivated_after_expiry(
    deps: Dependencies, customer: Caller, certificate: Certificate, clock: FixedClock
) -> None:
    await change(deps, customer, certificate, CertificateStatus.INACTIVE)
    clock.set(certificate.valid_until + timedelta(days=1))
    await refused(
        change(deps, customer, certificate, CertificateStatus.ACTIVE),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="El certificado está en estado «Vencido» y no se puede activar.",
    )


async def test_a_replaced_certificate_may_not_be_reactivated(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    certificate: Certificate,
    clock: FixedClock,
) -> None:
    clock.set(add_months(certificate.valid_until, -1) + timedelta(days=1))
    renewal = await submit(deps, customer)
    _, new = await approve(deps, reviewer, renewal, serial="SN-0002")
    assert await status_of(certificate) is CertificateStatus.INACTIVE

    error = await refused(
        change(deps, customer, certificate, CertificateStatus.ACTIVE),
        ErrorCode.INVALID_STATE_TRANSITION,
        message="El certificado fue reemplazado por su renovación y no se puede volver a activar.",
    )
    assert error.message == (
        "El certificado fue reemplazado por su renovación y no se puede volver a activar."
    )
    assert [c.id for c in await Certificate.filter(status=CertificateStatus.ACTIVE)] == [new.id]


async def test_reviewers_may_not_change_the_state(
    deps: Dependencies, reviewer: Caller, certificate: Certificate
) -> None:
    await refused(
        change(deps, reviewer, certificate, CertificateStatus.INACTIVE),
        ErrorCode.FORBIDDEN,
        message="Tu rol no permite cambiar el estado de un certificado.",
    )
    await refused(
        change(deps, None, certificate, CertificateStatus.INACTIVE),
        ErrorCode.UNAUTHENTICATED,
        message="Inicia sesión: envía un token válido en el encabezado Authorization.",
    )


async def test_another_company_gets_not_found(
    deps: Dependencies, other_customer: Caller, certificate: Certificate
) -> None:
    await refused(
        change(deps, other_customer, certificate, CertificateStatus.INACTIVE),
        ErrorCode.NOT_FOUND,
        message="No encontramos el certificado.",
    )
    assert await status_of(certificate) is CertificateStatus.ACTIVE


async def test_an_operator_may_change_the_state_for_the_company(
    deps: Dependencies, admin: Caller, certificate: Certificate
) -> None:
    await change(deps, admin, certificate, CertificateStatus.INACTIVE)
    assert await status_of(certificate) is CertificateStatus.INACTIVE
    assert len(await state_emails()) == 1


async def test_an_overlong_reason_is_refused(
    deps: Dependencies, customer: Caller, certificate: Certificate
) -> None:
    await refused(
        change(deps, customer, certificate, CertificateStatus.REVOKED, "x" * 501),
        ErrorCode.INVALID_INPUT,
        "reason",
        message="El motivo no puede tener más de 500 caracteres.",
    )
