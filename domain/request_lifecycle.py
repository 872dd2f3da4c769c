"""The request's state machine, written as data.

A request ("solicitud" / "trámite") is sent, reviewed by the partner, and either rejected (the
company corrects and sends it again, or gives it up: Desistida) or approved (the certificate is
issued). Nothing else may happen to it. A company has at most one open request (in review or
rejected), and a rejected one is the request to correct before any other. Keeping the transitions and who may trigger them in two tables lets the services,
the API documentation and the tests read the same rules, and makes "every other pair is
refused" something a test can check exhaustively.
"""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from domain.enums import ErrorCode, RequestStatus, Role
from domain.errors import DomainError


class RequestAction(StrEnum):
    SUBMIT = "SUBMIT"
    REJECT = "REJECT"
    RESUBMIT = "RESUBMIT"
    APPROVE = "APPROVE"
    WITHDRAW = "WITHDRAW"


REQUEST_STATUS_LABELS: Mapping[RequestStatus, str] = MappingProxyType(
    {
        RequestStatus.IN_REVIEW: "En trámite",
        RequestStatus.REJECTED: "Rechazado",
        RequestStatus.COMPLETED: "Completado",
        RequestStatus.WITHDRAWN: "Desistida",
    }
)

OPEN_REQUEST_STATUSES: frozenset[RequestStatus] = frozenset(
    {RequestStatus.IN_REVIEW, RequestStatus.REJECTED}
)
"""A request in one of these is still open: the company has at most one."""

REQUEST_TRANSITIONS: Mapping[tuple[RequestStatus | None, RequestAction], RequestStatus] = (
    MappingProxyType(
        {
            (None, RequestAction.SUBMIT): RequestStatus.IN_REVIEW,
            (RequestStatus.IN_REVIEW, RequestAction.REJECT): RequestStatus.REJECTED,
            (RequestStatus.REJECTED, RequestAction.RESUBMIT): RequestStatus.IN_REVIEW,
            (RequestStatus.IN_REVIEW, RequestAction.APPROVE): RequestStatus.COMPLETED,
            (RequestStatus.REJECTED, RequestAction.WITHDRAW): RequestStatus.WITHDRAWN,
        }
    )
)

REQUEST_ACTION_ROLES: Mapping[RequestAction, frozenset[Role]] = MappingProxyType(
    {
        RequestAction.SUBMIT: frozenset({Role.CUSTOMER, Role.ADMIN}),
        RequestAction.RESUBMIT: frozenset({Role.CUSTOMER, Role.ADMIN}),
        RequestAction.REJECT: frozenset({Role.REVIEWER, Role.ADMIN}),
        RequestAction.APPROVE: frozenset({Role.REVIEWER, Role.ADMIN}),
        RequestAction.WITHDRAW: frozenset({Role.CUSTOMER, Role.ADMIN}),
    }
)

_ACTION_VERBS: Mapping[RequestAction, str] = MappingProxyType(
    {
        RequestAction.SUBMIT: "enviar como una solicitud nueva",
        RequestAction.REJECT: "rechazar",
        RequestAction.RESUBMIT: "volver a enviar",
        RequestAction.APPROVE: "aprobar",
        RequestAction.WITHDRAW: "desistir de ella",
    }
)


def request_status_label(status: RequestStatus) -> str:
    """The status as people read it: En trámite, Rechazado, Completado or Desistida."""
    return REQUEST_STATUS_LABELS[status]


def next_request_status(current: RequestStatus | None, action: RequestAction) -> RequestStatus:
    """The status a request reaches by `action`; refuses any pair that is not in the table.

    `current` is None for a request that has not been sent yet.
    """
    target = REQUEST_TRANSITIONS.get((current, action))
    if target is not None:
        return target
    verb = _ACTION_VERBS[action]
    if current is None:
        message = f"La solicitud todavía no se ha enviado, así que no se puede {verb}."
    else:
        label = request_status_label(current)
        message = f"La solicitud está en estado «{label}» y no se puede {verb}."
    raise DomainError(ErrorCode.INVALID_STATE_TRANSITION, message)
