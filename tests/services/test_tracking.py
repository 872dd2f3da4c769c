"""The tracking screen: the notices at the top, the current certificate, whether to allow a request."""

from datetime import timedelta

from domain.calendar import add_months
from domain.clock import FixedClock
from domain.enums import CertificateStatus, NoticeCode, RequestKind
from models import Certificate, CertificateRequest, Company
from services.change_certificate_state import ChangeStateCommand, change_certificate_state
from services.dependencies import Dependencies
from services.tracking import Tracking, load_tracking
from tests.support.factories import Caller
from tests.support.use_cases import approve, submit


async def tracking_of(deps: Dependencies, company: Company) -> Tracking:
    return await load_tracking(company, deps.clock.now())


def codes(tracking: Tracking) -> list[NoticeCode]:
    return [notice.code for notice in tracking.notices]


async def test_a_company_with_nothing_yet_may_submit_a_new_request(
    deps: Dependencies, company: Company
) -> None:
    screen = await tracking_of(deps, company)
    assert (screen.certificate, screen.latest_request, screen.notices) == (None, None, [])
    assert (screen.can_submit_request, screen.next_request_kind) == (True, RequestKind.NEW)


async def test_a_request_in_review_sends_the_user_to_tracking(
    deps: Dependencies, company: Company, submitted: CertificateRequest
) -> None:
    screen = await tracking_of(deps, company)
    assert codes(screen) == [NoticeCode.REQUEST_IN_REVIEW]
    assert screen.notices[0].redirect_to_tracking is True
    assert screen.latest_request is not None
    assert screen.latest_request.id == submitted.id
    assert (screen.can_submit_request, screen.next_request_kind) == (False, None)


async def test_a_rejected_request_says_so(
    deps: Dependencies, company: Company, rejected: CertificateRequest
) -> None:
    screen = await tracking_of(deps, company)
    assert codes(screen) == [NoticeCode.REQUEST_REJECTED]


async def test_after_approval_andes_approved_and_the_certificate_is_not_renewable_yet(
    deps: Dependencies, company: Company, certificate: Certificate
) -> None:
    screen = await tracking_of(deps, company)

    assert codes(screen) == [
        NoticeCode.REQUEST_APPROVED,
        NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
    ]
    assert "Andes aprobó" in screen.notices[0].message
    assert screen.notices[1].redirect_to_tracking is True
    assert screen.certificate is not None
    assert screen.certificate.id == certificate.id
    assert screen.can_submit_request is False


async def test_in_the_renewal_window_the_company_is_invited_to_renew(
    deps: Dependencies, company: Company, certificate: Certificate, clock: FixedClock
) -> None:
    clock.set(add_months(certificate.valid_until, -1))

    screen = await tracking_of(deps, company)

    assert codes(screen) == [NoticeCode.REQUEST_APPROVED, NoticeCode.CERTIFICATE_RENEWAL_OPEN]
    assert screen.notices[1].redirect_to_tracking is False
    assert screen.next_request_kind is RequestKind.RENEWAL


async def test_once_a_renewal_is_in_review_only_that_is_shown(
    deps: Dependencies,
    customer: Caller,
    company: Company,
    certificate: Certificate,
    clock: FixedClock,
) -> None:
    clock.set(add_months(certificate.valid_until, -1) + timedelta(days=1))
    renewal = await submit(deps, customer)

    screen = await tracking_of(deps, company)

    assert codes(screen) == [NoticeCode.REQUEST_IN_REVIEW]
    assert screen.latest_request is not None
    assert screen.latest_request.id == renewal.id
    assert screen.can_submit_request is False


async def test_after_expiry_the_certificate_is_shown_expired_and_renewable(
    deps: Dependencies, company: Company, certificate: Certificate, clock: FixedClock
) -> None:
    clock.set(certificate.valid_until + timedelta(days=1))

    screen = await tracking_of(deps, company)

    assert codes(screen) == [NoticeCode.CERTIFICATE_EXPIRED]
    assert screen.next_request_kind is RequestKind.RENEWAL


async def test_a_revoked_certificate_leaves_the_way_open_for_a_new_request(
    deps: Dependencies, customer: Caller, company: Company, certificate: Certificate
) -> None:
    await change_certificate_state(
        deps,
        customer.principal,
        ChangeStateCommand(certificate.id, CertificateStatus.REVOKED, "Se perdió el token."),
    )

    screen = await tracking_of(deps, company)

    assert codes(screen) == [NoticeCode.CERTIFICATE_REVOKED]
    assert screen.notices[0].message == (
        "Tu certificado digital fue revocado y ya no sirve para firmar. Motivo: «Se perdió el "
        "token». Para volver a tener un certificado digital propio, envía una solicitud nueva."
    )
    assert screen.next_request_kind is RequestKind.NEW


async def test_after_a_renewal_the_new_certificate_is_the_current_one(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    company: Company,
    certificate: Certificate,
    clock: FixedClock,
) -> None:
    clock.set(add_months(certificate.valid_until, -1) + timedelta(days=1))
    renewal = await submit(deps, customer)
    _, new = await approve(deps, reviewer, renewal, serial="SN-0002")

    screen = await tracking_of(deps, company)

    assert screen.certificate is not None
    assert screen.certificate.id == new.id
    assert codes(screen) == [
        NoticeCode.REQUEST_APPROVED,
        NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET,
    ]
