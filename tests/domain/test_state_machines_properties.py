"""Property-based tests of the two state machines, on the pure rules (no database, fast).

Hypothesis drives random sequences of actions through the same functions the services call:
`next_request_status` for a request, and `ensure_state_change` / `allowed_state_changes` (plus
the system's `can_expire` / `can_supersede`) for a company's certificates, with a clock that
moves forward and lands just before, at and just after each certificate's expiry instant.
Whatever the sequence, a refusal changes nothing and every accepted move is one the tables
allow; the certificate rules never let a company hold two active certificates, never reopen a
revoked or expired one, and never activate one past its validity.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ParamSpec, TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.certificate_lifecycle import (
    COMPANY_STATE_CHANGES,
    REASON_MAX_LENGTH,
    SYSTEM_TRANSITIONS,
    SystemTransition,
    allowed_state_changes,
    can_expire,
    can_supersede,
    ensure_state_change,
)
from domain.enums import CertificateStatus, ErrorCode, RequestStatus
from domain.errors import DomainError
from domain.request_lifecycle import REQUEST_TRANSITIONS, RequestAction, next_request_status

ACTIVE = CertificateStatus.ACTIVE
INACTIVE = CertificateStatus.INACTIVE
REVOKED = CertificateStatus.REVOKED
EXPIRED = CertificateStatus.EXPIRED
FINAL_CERTIFICATE_STATUSES = frozenset({REVOKED, EXPIRED})
SYSTEM_EDGES = {
    (source, target) for sources, target in SYSTEM_TRANSITIONS.values() for source in sources
}

#: Pure functions: many examples are cheap. No example database: nothing written to the tree.
PROPERTIES = settings(max_examples=300, database=None, deadline=None)

START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)

T = TypeVar("T")
P = ParamSpec("P")


def outcome(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | DomainError:
    """The call's result, or the refusal it raised (to assert on either outside an except)."""
    try:
        return call(*args, **kwargs)
    except DomainError as error:
        return error


# --- The request ------------------------------------------------------------------------------

#: The request's graph, spelled out here rather than read from the table, so that a change to
#: the table has to be made in two places on purpose.
REQUEST_EDGES = {
    (None, RequestAction.SUBMIT, RequestStatus.IN_REVIEW),
    (RequestStatus.IN_REVIEW, RequestAction.REJECT, RequestStatus.REJECTED),
    (RequestStatus.REJECTED, RequestAction.RESUBMIT, RequestStatus.IN_REVIEW),
    (RequestStatus.IN_REVIEW, RequestAction.APPROVE, RequestStatus.COMPLETED),
    (RequestStatus.REJECTED, RequestAction.WITHDRAW, RequestStatus.WITHDRAWN),
}

request_actions = st.lists(st.sampled_from(list(RequestAction)), max_size=40)


def test_the_spelled_out_request_graph_is_the_table() -> None:
    assert {(src, action, dst) for (src, action), dst in REQUEST_TRANSITIONS.items()} == (
        REQUEST_EDGES
    )


@PROPERTIES
@given(actions=request_actions, start=st.sampled_from([None, *RequestStatus]))
def test_a_request_moves_only_along_the_table_and_a_refusal_changes_nothing(
    actions: list[RequestAction], start: RequestStatus | None
) -> None:
    status = start
    for action in actions:
        before = status
        result = outcome(next_request_status, before, action)
        if isinstance(result, DomainError):
            assert result.code is ErrorCode.INVALID_STATE_TRANSITION
            assert (before, action) not in REQUEST_TRANSITIONS
            assert result.message  # a sentence for people, in Spanish
            assert status is before
        else:
            status = result
            assert (before, action, status) in REQUEST_EDGES
            assert status == REQUEST_TRANSITIONS[(before, action)]


@PROPERTIES
@given(actions=request_actions)
def test_a_request_walk_from_scratch(actions: list[RequestAction]) -> None:
    """From "not sent": sent once, decided at most once for good, never back to "not sent"."""
    status: RequestStatus | None = None
    accepted: list[RequestAction] = []
    for action in actions:
        try:
            status = next_request_status(status, action)
        except DomainError:
            continue
        accepted.append(action)
        assert status is not None
    assert accepted.count(RequestAction.SUBMIT) <= 1
    assert accepted[:1] in ([], [RequestAction.SUBMIT])
    assert accepted.count(RequestAction.APPROVE) <= 1
    if RequestAction.APPROVE in accepted:
        # Completed is final: the approval is the last thing that happened to the request.
        assert accepted[-1] is RequestAction.APPROVE
        assert status is RequestStatus.COMPLETED
    # Every rejection is followed by a resubmission, except possibly the last one.
    rejects = accepted.count(RequestAction.REJECT)
    assert accepted.count(RequestAction.RESUBMIT) in (rejects - 1, rejects)


@PROPERTIES
@given(action=st.sampled_from(list(RequestAction)))
def test_completed_is_final(action: RequestAction) -> None:
    result = outcome(next_request_status, RequestStatus.COMPLETED, action)
    assert isinstance(result, DomainError), f"a completed request accepted {action}"
    assert result.code is ErrorCode.INVALID_STATE_TRANSITION


# --- The certificates of one company ----------------------------------------------------------


@dataclass
class Cert:
    status: CertificateStatus
    valid_until: datetime
    history: list[tuple[CertificateStatus, CertificateStatus, str]] = field(default_factory=list)


@dataclass
class Company:
    now: datetime = START
    certificates: list[Cert] = field(default_factory=list)

    def active_count(self) -> int:
        return sum(cert.status is ACTIVE for cert in self.certificates)

    def others_active(self, index: int) -> bool:
        return any(cert.status is ACTIVE for i, cert in enumerate(self.certificates) if i != index)


@dataclass(frozen=True)
class Issue:
    """A request is approved: a new active certificate; the older active one is set aside
    (or marked expired, if its validity already ended), as the approval does."""

    validity: timedelta


@dataclass(frozen=True)
class Change:
    """The company's edit action on one of its certificates."""

    pick: int
    target: CertificateStatus
    reason: str | None


@dataclass(frozen=True)
class Advance:
    delta: timedelta


@dataclass(frozen=True)
class NearExpiry:
    """Move the clock to just around one certificate's expiry instant (never backwards)."""

    pick: int
    offset: timedelta


@dataclass(frozen=True)
class ExpiryJob:
    """The daily job marks expired every certificate past its validity."""


Step = Issue | Change | Advance | NearExpiry | ExpiryJob

TINY = timedelta(microseconds=1)
validities = st.sampled_from(
    [TINY, timedelta(seconds=1), timedelta(days=1), timedelta(days=30), timedelta(days=365)]
)
deltas = st.sampled_from(
    [timedelta(0), TINY, timedelta(hours=1), timedelta(days=1), timedelta(days=40)]
)
offsets = st.sampled_from(
    [-timedelta(days=1), -TINY, timedelta(0), TINY, timedelta(days=1), timedelta(days=400)]
)
reasons = st.one_of(
    st.none(),
    st.sampled_from(["", "   ", "Se perdió el token.", "\t motivo \n", "x" * REASON_MAX_LENGTH]),
    st.sampled_from(["x" * (REASON_MAX_LENGTH + 1), " " + "y" * REASON_MAX_LENGTH + " "]),
    st.text(max_size=20),
)
steps = st.lists(
    st.one_of(
        st.builds(Issue, validities),
        st.builds(Change, st.integers(0, 5), st.sampled_from(list(CertificateStatus)), reasons),
        st.builds(Advance, deltas),
        st.builds(NearExpiry, st.integers(0, 5), offsets),
        st.just(ExpiryJob()),
    ),
    max_size=40,
)


def reason_is_valid(target: CertificateStatus, reason: str | None) -> bool:
    cleaned = (reason or "").strip()
    if target is REVOKED and not cleaned:
        return False
    return len(cleaned) <= REASON_MAX_LENGTH


def issue(company: Company, step: Issue) -> None:
    for cert in company.certificates:
        if cert.status is not ACTIVE:
            continue
        previous = cert.status
        if can_expire(cert.status, cert.valid_until, company.now):
            cert.status = SYSTEM_TRANSITIONS[SystemTransition.EXPIRE][1]
        elif can_supersede(cert.status):
            cert.status = SYSTEM_TRANSITIONS[SystemTransition.SUPERSEDE][1]
        assert cert.status is not previous, "an approval left an older certificate active"
        cert.history.append((previous, cert.status, "system"))
    company.certificates.append(Cert(ACTIVE, company.now + step.validity))


def expiry_job(company: Company) -> None:
    for cert in company.certificates:
        if can_expire(cert.status, cert.valid_until, company.now):
            sources, target = SYSTEM_TRANSITIONS[SystemTransition.EXPIRE]
            assert cert.status in sources
            cert.history.append((cert.status, target, "system"))
            cert.status = target


def change(company: Company, step: Change) -> None:
    if not company.certificates:
        return
    index = step.pick % len(company.certificates)
    cert = company.certificates[index]
    before, now = cert.status, company.now
    allowed = allowed_state_changes(before, cert.valid_until, now)
    other_active = company.others_active(index)
    note = outcome(
        ensure_state_change, before, step.target, cert.valid_until, now, step.reason, other_active
    )
    if isinstance(note, DomainError):
        # Refused: for one of the documented reasons, and nothing moved.
        assert cert.status is before
        if note.code is ErrorCode.INVALID_INPUT:
            assert note.field == "reason"
            assert not reason_is_valid(step.target, step.reason)
        else:
            assert note.code is ErrorCode.INVALID_STATE_TRANSITION
            assert step.target not in allowed or (step.target is ACTIVE and other_active)
        return
    # Accepted: exactly when the rules say it may be.
    assert step.target in allowed
    assert step.target in COMPANY_STATE_CHANGES[before]
    assert before not in FINAL_CERTIFICATE_STATUSES
    assert now < cert.valid_until, "a change accepted past the certificate's validity"
    assert reason_is_valid(step.target, step.reason)
    assert not (step.target is ACTIVE and other_active), "a second active certificate"
    assert note == ((step.reason or "").strip() or None)
    cert.status = step.target
    cert.history.append((before, step.target, "company"))


def expected_acceptance(company: Company, step: Change) -> bool | None:
    """Whether the rules must accept `step` now, computed from the tables alone."""
    if not company.certificates:
        return None
    index = step.pick % len(company.certificates)
    cert = company.certificates[index]
    return (
        step.target in COMPANY_STATE_CHANGES[cert.status]
        and company.now < cert.valid_until
        and reason_is_valid(step.target, step.reason)
        and not (step.target is ACTIVE and company.others_active(index))
    )


def run(company: Company, step: Step) -> None:
    match step:
        case Issue():
            issue(company, step)
        case Change():
            must_accept = expected_acceptance(company, step)
            before = [cert.status for cert in company.certificates]
            change(company, step)
            after = [cert.status for cert in company.certificates]
            if must_accept is not None:
                assert (before != after) is must_accept, (step, before, after)
        case Advance():
            company.now += step.delta
        case NearExpiry():
            if company.certificates:
                cert = company.certificates[step.pick % len(company.certificates)]
                company.now = max(company.now, cert.valid_until + step.offset)
        case ExpiryJob():
            expiry_job(company)


def assert_invariants(company: Company) -> None:
    assert company.active_count() <= 1, "two active certificates"
    for cert in company.certificates:
        seen_final = False
        for before, after, by in cert.history:
            assert not seen_final, f"left a final status: {cert.history}"
            if by == "company":
                assert after in COMPANY_STATE_CHANGES[before]
            else:
                assert (before, after) in SYSTEM_EDGES, cert.history
            seen_final = after in FINAL_CERTIFICATE_STATUSES
        if cert.status in FINAL_CERTIFICATE_STATUSES:
            assert allowed_state_changes(cert.status, cert.valid_until, company.now) == []
        if company.now >= cert.valid_until:
            assert allowed_state_changes(cert.status, cert.valid_until, company.now) == []


@PROPERTIES
@given(steps=steps)
def test_certificates_move_only_along_the_tables(steps: list[Step]) -> None:
    company = Company()
    for step in steps:
        run(company, step)
        assert_invariants(company)


@PROPERTIES
@given(
    status=st.sampled_from(list(CertificateStatus)),
    target=st.sampled_from(list(CertificateStatus)),
    offset=offsets,
    reason=reasons,
    other_active=st.booleans(),
)
def test_a_single_change_is_accepted_exactly_when_the_table_allows_it(
    status: CertificateStatus,
    target: CertificateStatus,
    offset: timedelta,
    reason: str | None,
    other_active: bool,
) -> None:
    valid_until = START + timedelta(days=365)
    now = valid_until + offset
    allowed = allowed_state_changes(status, valid_until, now)
    assert set(allowed) <= COMPANY_STATE_CHANGES[status]
    assert allowed == [c for c in CertificateStatus if c in allowed]  # the enum's order
    must_accept = target in allowed and reason_is_valid(target, reason)
    must_accept = must_accept and not (target is ACTIVE and other_active)
    result = outcome(ensure_state_change, status, target, valid_until, now, reason, other_active)
    if isinstance(result, DomainError):
        assert not must_accept, result.errors
        assert result.code in (ErrorCode.INVALID_STATE_TRANSITION, ErrorCode.INVALID_INPUT)
    else:
        assert must_accept
        assert status not in FINAL_CERTIFICATE_STATUSES
        assert not (target is ACTIVE and now >= valid_until)
