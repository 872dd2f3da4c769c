"""Property-based tests of the two state machines, on the pure rules (no database, fast).

The expected answers come from a small reference model of the rules written here, from
DOMAIN.md ("The request", "The certificate"), in code of its own shape: never from the tables in
`domain/`, so that a wrong table cannot confirm itself. Hypothesis drives random sequences of
actions through the functions the services call (`next_request_status`; `ensure_state_change`,
`allowed_state_changes`, `can_expire`, `can_supersede`) with a clock that lands just before, at
and just after each certificate's expiry instant, and compares every answer with the model's:
accepted exactly when the model accepts, to the status the model says, and a refusal changes
nothing. On top, the invariants DOMAIN.md states: at most one active certificate, a revoked or
expired one never reopens, none is activated past its validity.

The clock's part (issue 13) has its own model, `model_status_at`: Emitido until validFrom, then
Activo; Vencido from validUntil; a certificate whose renewal started is Inactivo and never Activo
again. `effective_status`, `initial_status` and the edit action with dates are compared with it
around each date (just before, at, just after), and a request's Desistida is reached only from
Rechazado and is final.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.certificate_lifecycle import (
    REASON_MAX_LENGTH,
    allowed_state_changes,
    can_expire,
    can_supersede,
    effective_status,
    ensure_state_change,
    initial_status,
)
from domain.enums import CertificateStatus, ErrorCode, RequestStatus
from domain.errors import DomainError
from domain.request_lifecycle import (
    REQUEST_TRANSITIONS,
    RequestAction,
    next_request_status,
)
from tests.support.refusals import assert_refusal
from tests.support.texts import (
    CERTIFICATE_LABELS,
    CERTIFICATE_VERBS,
    certificate_refusal,
    request_refusal,
)

ACTIVE = CertificateStatus.ACTIVE
INACTIVE = CertificateStatus.INACTIVE
REVOKED = CertificateStatus.REVOKED
EXPIRED = CertificateStatus.EXPIRED
ISSUED = CertificateStatus.ISSUED
IN_REVIEW = RequestStatus.IN_REVIEW
REJECTED = RequestStatus.REJECTED
COMPLETED = RequestStatus.COMPLETED
SUBMIT = RequestAction.SUBMIT
REJECT = RequestAction.REJECT
RESUBMIT = RequestAction.RESUBMIT
APPROVE = RequestAction.APPROVE
WITHDRAW = RequestAction.WITHDRAW
WITHDRAWN = RequestStatus.WITHDRAWN

#: Pure functions: many examples are cheap. The rest (derandomized in `ci`) is the profile's.
PROPERTIES = settings(max_examples=300, deadline=None)

START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)

T = TypeVar("T")
P = ParamSpec("P")


def outcome(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | DomainError:
    """The call's result, or the refusal it raised (to assert on either outside an except)."""
    try:
        return call(*args, **kwargs)
    except DomainError as error:
        return error


# --- The reference model, from DOMAIN.md ------------------------------------------------------


def model_request_next(
    current: RequestStatus | None, action: RequestAction
) -> RequestStatus | None:
    """DOMAIN.md, "The request": where `action` takes a request in `current` (None: not sent
    yet), or None when the rules refuse it.

    "submit → IN_REVIEW; IN_REVIEW → REJECTED (reviewer, observations required); REJECTED →
    IN_REVIEW (resubmission by the company); REJECTED → WITHDRAWN (the company, or the job after
    the configured days); IN_REVIEW → COMPLETED (reviewer approves). Nothing else." Completed
    and withdrawn are final.
    """
    if action is SUBMIT:
        return IN_REVIEW if current is None else None
    if action is REJECT:
        return REJECTED if current is IN_REVIEW else None
    if action is RESUBMIT:
        return IN_REVIEW if current is REJECTED else None
    if action is APPROVE:
        return COMPLETED if current is IN_REVIEW else None
    if action is WITHDRAW:
        return WITHDRAWN if current is REJECTED else None
    raise AssertionError(f"an action DOMAIN.md does not name: {action}")


def model_company_may(status: CertificateStatus, target: CertificateStatus, live: bool) -> bool:
    """DOMAIN.md, "The certificate": whether the company's edit action may take a certificate in
    `status` to `target`, `live` meaning before its expiry instant.

    Active: to Inactivo, or to Revocado with a reason. Inactivo: Activo again before it expires
    (and, DOMAIN.md being silent, revoked like an active one: a set-aside certificate whose key
    is compromised must be revocable). Revocado and Vencido are final; past its expiry date a
    certificate is Vencido whatever was stored.
    """
    if not live:
        return False
    if status is ACTIVE:
        return target in (INACTIVE, REVOKED)
    if status is INACTIVE:
        return target in (ACTIVE, REVOKED)
    return False


def model_reason_ok(target: CertificateStatus, reason: str | None) -> bool:
    """A revocation needs a reason; any reason is at most REASON_MAX_LENGTH once stripped."""
    cleaned = (reason or "").strip()
    if target is REVOKED and not cleaned:
        return False
    return len(cleaned) <= REASON_MAX_LENGTH


def model_change_refusal(
    status: CertificateStatus,
    target: CertificateStatus,
    valid_until: datetime,
    live: bool,
    reason: str | None,
) -> tuple[ErrorCode, str]:
    """What a refused edit action says, from DOMAIN.md: first whether the status may change at
    all (a certificate past its expiry is Vencido, and says since when, as a Bogotá date), then the
    revocation's reason, then the company's other active certificate."""
    final = status in (REVOKED, EXPIRED)
    effective = status if live or final else EXPIRED
    if not model_company_may(status, target, live):
        if target is effective:
            return (
                ErrorCode.INVALID_STATE_TRANSITION,
                f"El certificado ya está en estado «{CERTIFICATE_LABELS[effective]}».",
            )
        if effective is EXPIRED and not final:
            day = valid_until.astimezone(ZoneInfo("America/Bogota")).strftime("%d/%m/%Y")
            return (
                ErrorCode.INVALID_STATE_TRANSITION,
                f"El certificado venció el {day} y ya no se puede {CERTIFICATE_VERBS[target]}.",
            )
        return ErrorCode.INVALID_STATE_TRANSITION, certificate_refusal(effective, target)
    if not model_reason_ok(target, reason):
        if target is REVOKED and not (reason or "").strip():
            return ErrorCode.INVALID_INPUT, "Indica el motivo de la revocación."
        return (
            ErrorCode.INVALID_INPUT,
            f"El motivo no puede tener más de {REASON_MAX_LENGTH} caracteres.",
        )
    return ErrorCode.INVALID_STATE_TRANSITION, "La empresa ya tiene un certificado activo."


def model_expires(status: CertificateStatus, live: bool) -> bool:
    """The job marks Vencido a certificate past its expiry that is still Activo or Inactivo."""
    return not live and status in (ACTIVE, INACTIVE)


def model_superseded(status: CertificateStatus) -> bool:
    """An approved renewal sets the active certificate aside (Inactivo); nothing else."""
    return status is ACTIVE


FINAL_CERTIFICATE_STATUSES = frozenset({REVOKED, EXPIRED})


def model_status_at(
    stored: CertificateStatus,
    valid_from: datetime,
    valid_until: datetime,
    now: datetime,
    replaced_from: datetime | None,
) -> CertificateStatus:
    """DOMAIN.md, "The certificate": what a certificate stored as `stored` is at `now`.

    Revocado and Vencido are final: the clock does not touch them. Past its expiry date (from
    validUntil on) anything else is Vencido. Emitido becomes Activo at validFrom. When the
    renewal that replaces it starts (`replaced_from`, the renewal's validFrom) the old Activo one
    is Inactivo. Whatever else was stored stands.
    """
    if stored in FINAL_CERTIFICATE_STATUSES:
        return stored
    expired = not now < valid_until
    if expired:
        return EXPIRED
    started = not now < valid_from
    replaced = replaced_from is not None and not now < replaced_from
    if stored is ISSUED:
        return ACTIVE if started else ISSUED
    if stored is ACTIVE and replaced:
        return INACTIVE
    return stored


def model_company_may_now(
    effective: CertificateStatus, target: CertificateStatus, replaced: bool
) -> bool:
    """The edit action from the status the certificate has now: nothing while Emitido (the
    action exists "while ACTIVE", and for an Inactivo one), and a replaced certificate "cannot be
    made ACTIVE again". `effective` past validUntil is already Vencido, so live is implied."""
    if target is ACTIVE and replaced:
        return False
    return model_company_may(effective, target, live=effective is not EXPIRED)


# --- The request ------------------------------------------------------------------------------

request_actions = st.lists(st.sampled_from(list(RequestAction)), max_size=40)


def test_every_pair_of_status_and_action_answers_as_the_model() -> None:
    for current in [None, *RequestStatus]:
        for action in RequestAction:
            expected = model_request_next(current, action)
            result = outcome(next_request_status, current, action)
            if expected is None:
                assert isinstance(result, DomainError), (current, action, result)
                assert_refusal(
                    result,
                    code=ErrorCode.INVALID_STATE_TRANSITION,
                    message=request_refusal(current, action),
                )
            else:
                assert result == expected, (current, action)
    assert len(REQUEST_TRANSITIONS) == sum(
        model_request_next(current, action) is not None
        for current in [None, *RequestStatus]
        for action in RequestAction
    )


@PROPERTIES
@given(actions=request_actions, start=st.sampled_from([None, *RequestStatus]))
def test_a_request_moves_as_the_model_says_and_a_refusal_changes_nothing(
    actions: list[RequestAction], start: RequestStatus | None
) -> None:
    status = start
    for action in actions:
        before = status
        expected = model_request_next(before, action)
        result = outcome(next_request_status, before, action)
        if isinstance(result, DomainError):
            assert expected is None, (before, action)
            assert_refusal(
                result,
                code=ErrorCode.INVALID_STATE_TRANSITION,
                message=request_refusal(before, action),
            )
            assert status is before
        else:
            assert result == expected, (before, action)
            status = result


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
    assert accepted.count(SUBMIT) <= 1
    assert accepted[:1] in ([], [SUBMIT])
    assert accepted.count(APPROVE) <= 1
    if APPROVE in accepted:
        # Completed is final: the approval is the last thing that happened to the request.
        assert accepted[-1] is APPROVE
        assert status is COMPLETED
    # Every rejection is followed by a resubmission, except possibly the last one.
    rejects = accepted.count(REJECT)
    assert accepted.count(RESUBMIT) in (rejects - 1, rejects)


@PROPERTIES
@given(action=st.sampled_from(list(RequestAction)), final=st.sampled_from([COMPLETED, WITHDRAWN]))
def test_completed_and_withdrawn_are_final(action: RequestAction, final: RequestStatus) -> None:
    result = outcome(next_request_status, final, action)
    assert isinstance(result, DomainError), f"a {final} request accepted {action}"
    assert_refusal(
        result, code=ErrorCode.INVALID_STATE_TRANSITION, message=request_refusal(final, action)
    )


@PROPERTIES
@given(actions=request_actions)
def test_only_a_rejected_request_is_withdrawn_and_nothing_follows(
    actions: list[RequestAction],
) -> None:
    """A walk that reaches Desistida got there from Rechazado, by WITHDRAW, as its last move."""
    status: RequestStatus | None = None
    path: list[tuple[RequestStatus | None, RequestAction, RequestStatus]] = []
    for action in actions:
        result = outcome(next_request_status, status, action)
        if isinstance(result, DomainError):
            continue
        path.append((status, action, result))
        status = result
    withdrawn = [i for i, (_, _, after) in enumerate(path) if after is WITHDRAWN]
    assert withdrawn in ([], [len(path) - 1])
    for before, action, _ in (path[i] for i in withdrawn):
        assert (before, action) == (REJECTED, WITHDRAW)


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


def issue(company: Company, step: Issue) -> None:
    """An approval: each older active certificate is marked expired (past its validity) or set
    aside, as the model says; then the new one is active."""
    for cert in company.certificates:
        if cert.status is not ACTIVE:
            continue
        previous, live = cert.status, company.now < cert.valid_until
        expires, superseded = (
            can_expire(previous, cert.valid_until, company.now),
            can_supersede(previous),
        )
        assert expires is model_expires(previous, live), (previous, live)
        assert superseded is model_superseded(previous), previous
        cert.status = EXPIRED if expires else INACTIVE
        cert.history.append((previous, cert.status, "system"))
    company.certificates.append(Cert(ACTIVE, company.now + step.validity))


def expiry_job(company: Company) -> None:
    for cert in company.certificates:
        live = company.now < cert.valid_until
        expires = can_expire(cert.status, cert.valid_until, company.now)
        assert expires is model_expires(cert.status, live), (cert.status, live)
        if expires:
            cert.history.append((cert.status, EXPIRED, "system"))
            cert.status = EXPIRED


def model_accepts(company: Company, index: int, step: Change) -> bool:
    """Whether the model accepts the company's edit `step` on its certificate `index` now."""
    cert = company.certificates[index]
    return (
        model_company_may(cert.status, step.target, company.now < cert.valid_until)
        and model_reason_ok(step.target, step.reason)
        and not (step.target is ACTIVE and company.others_active(index))
    )


def change(company: Company, step: Change) -> None:
    if not company.certificates:
        return
    index = step.pick % len(company.certificates)
    cert = company.certificates[index]
    before, now, live = cert.status, company.now, company.now < cert.valid_until
    must_accept = model_accepts(company, index, step)
    allowed = allowed_state_changes(before, cert.valid_until, now)
    assert allowed == [t for t in CertificateStatus if model_company_may(before, t, live)]
    other_active = company.others_active(index)
    note = outcome(
        ensure_state_change, before, step.target, cert.valid_until, now, step.reason, other_active
    )
    if isinstance(note, DomainError):
        assert not must_accept, (before, step, note.errors)
        assert cert.status is before
        if note.code is ErrorCode.INVALID_INPUT:
            # Refused for the reason alone: the move itself is one the model allows.
            assert note.field == "reason"
            assert not model_reason_ok(step.target, step.reason)
            assert note.message == (
                "Indica el motivo de la revocación."
                if not (step.reason or "").strip()
                else "El motivo no puede tener más de 500 caracteres."
            )
            assert model_company_may(before, step.target, live)
        else:
            assert note.code is ErrorCode.INVALID_STATE_TRANSITION
        assert note.message
        return
    assert must_accept, (before, step)
    assert note == ((step.reason or "").strip() or None)
    cert.status = step.target
    cert.history.append((before, step.target, "company"))


def run(company: Company, step: Step) -> None:
    match step:
        case Issue():
            issue(company, step)
        case Change():
            before = [cert.status for cert in company.certificates]
            change(company, step)
            after = [cert.status for cert in company.certificates]
            if company.certificates:
                index = step.pick % len(company.certificates)
                moved = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a]
                assert moved in ([], [index])
        case Advance():
            company.now += step.delta
        case NearExpiry():
            if company.certificates:
                cert = company.certificates[step.pick % len(company.certificates)]
                company.now = max(company.now, cert.valid_until + step.offset)
        case ExpiryJob():
            expiry_job(company)


#: The system's moves, as DOMAIN.md states them: expiry of a live one, a renewal's set-aside.
SYSTEM_EDGES = {(ACTIVE, EXPIRED), (INACTIVE, EXPIRED), (ACTIVE, INACTIVE)}


def assert_invariants(company: Company) -> None:
    assert company.active_count() <= 1, "two active certificates"
    for cert in company.certificates:
        seen_final = False
        for before, after, by in cert.history:
            assert not seen_final, f"left a final status: {cert.history}"
            if by == "system":
                assert (before, after) in SYSTEM_EDGES, cert.history
            seen_final = after in FINAL_CERTIFICATE_STATUSES
        if cert.status in FINAL_CERTIFICATE_STATUSES or company.now >= cert.valid_until:
            assert allowed_state_changes(cert.status, cert.valid_until, company.now) == []


@PROPERTIES
@given(steps=steps)
def test_certificates_move_as_the_model_says(steps: list[Step]) -> None:
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
def test_a_single_change_is_accepted_exactly_when_the_model_accepts_it(
    status: CertificateStatus,
    target: CertificateStatus,
    offset: timedelta,
    reason: str | None,
    other_active: bool,
) -> None:
    valid_until = START + timedelta(days=365)
    now = valid_until + offset
    live = now < valid_until
    allowed = allowed_state_changes(status, valid_until, now)
    assert allowed == [c for c in CertificateStatus if model_company_may(status, c, live)]
    must_accept = (
        model_company_may(status, target, live)
        and model_reason_ok(target, reason)
        and not (target is ACTIVE and other_active)
    )
    result = outcome(ensure_state_change, status, target, valid_until, now, reason, other_active)
    if isinstance(result, DomainError):
        assert not must_accept, result.errors
        code, message = model_change_refusal(status, target, valid_until, live, reason)
        assert (result.code, result.message) == (code, message)
    else:
        assert must_accept, (status, target, live, reason, other_active)
        assert result == ((reason or "").strip() or None)


# --- The clock: Emitido, Vencido and a replaced certificate -------------------------------------

#: Instants around each of a certificate's dates, relative to a fixed validFrom.
VALID_FROM = START + timedelta(days=10)
AROUND = [-timedelta(days=30), -timedelta(days=1), -TINY, timedelta(0), TINY, timedelta(days=1)]
DURATIONS = [TINY, timedelta(days=1), timedelta(days=365)]
around = st.sampled_from(AROUND)


@dataclass(frozen=True)
class Dated:
    """A certificate with its dates, and the instant `now` at which it is read."""

    stored: CertificateStatus
    valid_from: datetime
    valid_until: datetime
    replaced_from: datetime | None
    now: datetime


def every_dated() -> list[Dated]:
    """Every certificate-and-instant of these tests: each stored status, duration, replacement
    (only a certificate that has been in use is renewed: an Emitido one has none) and instant
    around each of its dates. A few hundred, so the tests below that need nothing else walk them
    all; the others draw from them."""
    found = []
    for stored in CertificateStatus:
        for duration in DURATIONS:
            valid_until = VALID_FROM + duration
            replacements: list[datetime | None] = [None]
            if stored is not ISSUED:
                replacements += [VALID_FROM, VALID_FROM + timedelta(days=1), valid_until]
            for replaced in replacements:
                for anchor in [d for d in (VALID_FROM, valid_until, replaced) if d]:
                    found += [
                        Dated(stored, VALID_FROM, valid_until, replaced, anchor + offset)
                        for offset in AROUND
                    ]
    return found


EVERY_DATED = every_dated()


def dated() -> st.SearchStrategy[Dated]:
    return st.sampled_from(EVERY_DATED)


def test_the_status_derived_from_the_clock_is_the_models() -> None:
    """Every case, not a draw of them: 300 drawn examples cost more than the whole set."""
    for cert in EVERY_DATED:
        expected = model_status_at(
            cert.stored, cert.valid_from, cert.valid_until, cert.now, cert.replaced_from
        )
        got = effective_status(
            cert.stored,
            cert.valid_from,
            cert.valid_until,
            cert.now,
            superseded_at=cert.replaced_from,
        )
        assert got is expected, cert


def test_a_certificate_is_issued_emitido_exactly_when_its_validity_starts_later() -> None:
    """Every start, duration and instant of these tests (108 cases), not a draw of them."""
    for valid_from_offset, duration, now_offset in itertools.product(AROUND, DURATIONS, AROUND):
        now = START + now_offset
        valid_from = START + valid_from_offset
        valid_until = valid_from + duration
        expected = model_status_at(ISSUED, valid_from, valid_until, now, None)
        assert initial_status(valid_from, valid_until, now) is expected
        assert expected is (
            ISSUED if now < valid_from else ACTIVE if now < valid_until else EXPIRED
        )


@PROPERTIES
@given(cert=dated(), nows=st.lists(around, min_size=1, max_size=8))
def test_the_clock_only_moves_a_certificate_forward(cert: Dated, nows: list[timedelta]) -> None:
    """Read at later and later instants: never back to Emitido once started, never out of
    Revocado or Vencido, never Activo again once its replacement started."""
    instants = sorted({cert.valid_from + offset for offset in nows} | {cert.now})
    seen: list[CertificateStatus] = []
    for now in instants:
        status = effective_status(
            cert.stored, cert.valid_from, cert.valid_until, now, superseded_at=cert.replaced_from
        )
        if seen and seen[-1] in FINAL_CERTIFICATE_STATUSES:
            assert status is seen[-1], (cert, seen, status)
        if seen and seen[-1] is not ISSUED:
            assert status is not ISSUED, (cert, seen, status)
        if cert.replaced_from is not None and now >= cert.replaced_from:
            assert status is not ACTIVE, (cert, now, status)
        seen.append(status)


@PROPERTIES
@given(cert=dated(), target=st.sampled_from(list(CertificateStatus)), reason=reasons)
def test_the_edit_action_on_dated_certificates_answers_as_the_model(
    cert: Dated, target: CertificateStatus, reason: str | None
) -> None:
    """With validFrom and a replacement in play: the choices offered and the changes accepted
    are the model's, from the status the certificate has now. An Emitido certificate offers
    nothing; a replaced one is never made Activo again, even from Inactivo and before expiry."""
    effective = model_status_at(
        cert.stored, cert.valid_from, cert.valid_until, cert.now, cert.replaced_from
    )
    replaced = cert.replaced_from is not None and cert.now >= cert.replaced_from
    dates = {"valid_from": cert.valid_from, "superseded_at": cert.replaced_from}
    allowed = allowed_state_changes(cert.stored, cert.valid_until, cert.now, **dates)
    assert allowed == [
        t for t in CertificateStatus if model_company_may_now(effective, t, replaced)
    ]
    must_accept = model_company_may_now(effective, target, replaced) and model_reason_ok(
        target, reason
    )
    result = outcome(
        ensure_state_change, cert.stored, target, cert.valid_until, cert.now, reason, False, **dates
    )
    if isinstance(result, DomainError):
        assert not must_accept, (cert, target, result.errors)
        assert result.message
        if target is ACTIVE and replaced and effective is INACTIVE:
            assert result.message == (
                "El certificado fue reemplazado por su renovación y no se puede volver a activar."
            )
    else:
        assert must_accept, (cert, target, reason)
