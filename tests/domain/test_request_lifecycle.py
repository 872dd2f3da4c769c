"""The request's state machine: the four allowed transitions, and every other pair refused."""

import itertools

import pytest

from domain.enums import ErrorCode, RequestStatus, Role
from domain.errors import DomainError
from domain.request_lifecycle import (
    REQUEST_ACTION_ROLES,
    REQUEST_STATUS_LABELS,
    REQUEST_TRANSITIONS,
    RequestAction,
    next_request_status,
    request_status_label,
)
from tests.support.refusals import assert_refusal
from tests.support.texts import REQUEST_LABELS, request_refusal

ALLOWED = {
    (None, RequestAction.SUBMIT): RequestStatus.IN_REVIEW,
    (RequestStatus.IN_REVIEW, RequestAction.REJECT): RequestStatus.REJECTED,
    (RequestStatus.REJECTED, RequestAction.RESUBMIT): RequestStatus.IN_REVIEW,
    (RequestStatus.REJECTED, RequestAction.WITHDRAW): RequestStatus.WITHDRAWN,
    (RequestStatus.IN_REVIEW, RequestAction.APPROVE): RequestStatus.COMPLETED,
}
ALL_PAIRS = list(itertools.product([None, *RequestStatus], RequestAction))
REFUSED = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


def test_labels() -> None:
    assert dict(REQUEST_STATUS_LABELS) == REQUEST_LABELS
    assert request_status_label(RequestStatus.IN_REVIEW) == "En trámite"


def test_the_table_is_exactly_the_five_transitions() -> None:
    assert dict(REQUEST_TRANSITIONS) == ALLOWED


@pytest.mark.parametrize(("pair", "expected"), list(ALLOWED.items()))
def test_allowed_transitions(
    pair: tuple[RequestStatus | None, RequestAction], expected: RequestStatus
) -> None:
    current, action = pair
    assert next_request_status(current, action) == expected


@pytest.mark.parametrize(("current", "action"), REFUSED)
def test_every_other_pair_is_refused(current: RequestStatus | None, action: RequestAction) -> None:
    with pytest.raises(DomainError) as caught:
        next_request_status(current, action)
    assert_refusal(
        caught.value,
        code=ErrorCode.INVALID_STATE_TRANSITION,
        message=request_refusal(current, action),
    )


def test_twenty_five_pairs_of_which_twenty_are_refused() -> None:
    assert len(ALL_PAIRS) == 25
    assert len(REFUSED) == 20


@pytest.mark.parametrize(
    ("current", "action", "message"),
    [
        (
            RequestStatus.COMPLETED,
            RequestAction.REJECT,
            "La solicitud está en estado «Completado» y no se puede rechazar.",
        ),
        (
            RequestStatus.REJECTED,
            RequestAction.APPROVE,
            "La solicitud está en estado «Rechazado» y no se puede aprobar.",
        ),
        (
            RequestStatus.IN_REVIEW,
            RequestAction.RESUBMIT,
            "La solicitud está en estado «En trámite» y no se puede volver a enviar.",
        ),
        (
            RequestStatus.IN_REVIEW,
            RequestAction.SUBMIT,
            "La solicitud está en estado «En trámite» y no se puede enviar como una solicitud "
            "nueva.",
        ),
        (
            None,
            RequestAction.APPROVE,
            "La solicitud todavía no se ha enviado, así que no se puede aprobar.",
        ),
    ],
)
def test_messages_name_the_status_and_the_action(
    current: RequestStatus | None, action: RequestAction, message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        next_request_status(current, action)
    assert caught.value.message == message


def test_roles() -> None:
    assert dict(REQUEST_ACTION_ROLES) == {
        RequestAction.SUBMIT: {Role.CUSTOMER, Role.ADMIN},
        RequestAction.RESUBMIT: {Role.CUSTOMER, Role.ADMIN},
        RequestAction.WITHDRAW: {Role.CUSTOMER, Role.ADMIN},
        RequestAction.REJECT: {Role.REVIEWER, Role.ADMIN},
        RequestAction.APPROVE: {Role.REVIEWER, Role.ADMIN},
    }


def test_a_reviewer_cannot_submit_and_a_customer_cannot_decide() -> None:
    assert Role.REVIEWER not in REQUEST_ACTION_ROLES[RequestAction.SUBMIT]
    assert Role.CUSTOMER not in REQUEST_ACTION_ROLES[RequestAction.APPROVE]
    assert Role.CUSTOMER not in REQUEST_ACTION_ROLES[RequestAction.REJECT]
