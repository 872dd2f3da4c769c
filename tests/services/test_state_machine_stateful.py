"""A Hypothesis state machine that drives the real use cases on the test database (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set) against a small reference model written here, from
DOMAIN.md and issue 13, never from the production tables.

Hypothesis picks the steps: a company submits (asking for a start today, soon, or too far
ahead), a reviewer rejects (flagging the RUT or not) or approves (random start and duration,
some outside what the certification authority issues), the company resubmits (replacing the
flagged document or not, correcting the start or not), withdraws, changes the state of a
certificate (its own or another company's), the scheduled job runs, or the clock moves (hours,
months, to the instants where a certificate's rules change). The model predicts each answer,
accepted or refused with which code, and after every step the database must agree with it:

- at most one open request (in review or rejected) per company, at most one ACTIVE certificate;
- every request's and certificate's status is the model's (certificates as read: from the clock);
- no certificate was issued within the first 11 months of another's validity except by renewal;
- what `allowedStateChanges` lists is exactly what the model (and so changeCertificateState)
  accepts, and the tracking screen's notices and canSubmitRequest are the model's;
- every transition is in history: each history is a chain from nothing to the stored status,
  along the edges DOMAIN.md names; after a job run the stored status is the one read.

Hypothesis' state machines are synchronous and the use cases are coroutines on the test's
event loop (Tortoise's connection lives in the test task's context). So the async test hands
the machine to a worker thread (`asyncio.to_thread`, which copies that context) and each step
sends its coroutine back to the loop with `asyncio.run_coroutine_threadsafe`, waiting for the
result. Each example makes its own companies, so examples do not see each other's rows.
"""

import asyncio
import functools
import itertools
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from domain.calendar import BOGOTA, add_months, local_date
from domain.certificate_lifecycle import allowed_state_changes, effective_status
from domain.clock import FixedClock
from domain.enums import (
    CertificateStatus,
    DocumentKind,
    ErrorCode,
    NoticeCode,
    RequestKind,
    RequestStatus,
    Role,
)
from domain.errors import DomainError
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    RequestStatusChange,
)
from services.change_certificate_state import ChangeStateCommand, change_certificate_state
from services.dependencies import Dependencies
from services.expire_and_remind import run_daily_job
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from services.tracking import load_tracking
from services.withdraw_certificate_request import WithdrawCommand, withdraw_certificate_request
from tests.support.factories import DEFAULT_NOW, Caller, make_caller, make_company
from tests.support.files import pdf
from tests.support.use_cases import approve, reject, row_counts, submit, upload

T = TypeVar("T")

#: Small on purpose: every step is a real transaction; this runs in seconds per backend.
#: STATE_MACHINE_EXAMPLES widens a run by hand.
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("STATE_MACHINE_EXAMPLES") or 25),
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
STEP_TIMEOUT_SECONDS = 30

# --- The reference model, from DOMAIN.md --------------------------------------------------------

IN_REVIEW, REJECTED = RequestStatus.IN_REVIEW, RequestStatus.REJECTED
COMPLETED, WITHDRAWN = RequestStatus.COMPLETED, RequestStatus.WITHDRAWN
ISSUED, ACTIVE, INACTIVE = (
    CertificateStatus.ISSUED,
    CertificateStatus.ACTIVE,
    CertificateStatus.INACTIVE,
)
REVOKED, EXPIRED = CertificateStatus.REVOKED, CertificateStatus.EXPIRED

#: "submit → IN_REVIEW; IN_REVIEW → REJECTED; REJECTED → IN_REVIEW; REJECTED → WITHDRAWN;
#: IN_REVIEW → COMPLETED. Nothing else."
REQUEST_EDGES = {
    (None, IN_REVIEW),
    (IN_REVIEW, REJECTED),
    (REJECTED, IN_REVIEW),
    (REJECTED, WITHDRAWN),
    (IN_REVIEW, COMPLETED),
}
#: Issued (before or at its start); the clock's moves (start, replaced, expiry); the company's
#: edit action (active <-> inactive, revoke while usable).
CERTIFICATE_EDGES = {
    (None, ISSUED),
    (None, ACTIVE),
    (ISSUED, ACTIVE),
    (ISSUED, EXPIRED),
    (ACTIVE, INACTIVE),
    (INACTIVE, ACTIVE),
    (ACTIVE, REVOKED),
    (INACTIVE, REVOKED),
    (ACTIVE, EXPIRED),
    (INACTIVE, EXPIRED),
}
MAX_START_DAYS, LAG_DAYS, MIN_MONTHS, MAX_MONTHS = 90, 30, 1, 36
AUTO_WITHDRAW_DAYS, CHAMBER_MAX_AGE_DAYS, REASON_MAX = 60, 90, 500


@dataclass
class ModelRequest:
    id: int
    company: int
    kind: RequestKind
    renewal_of: int | None
    starts_on: date
    submitted_at: datetime
    chamber_issued_on: date
    status: RequestStatus = IN_REVIEW
    rut_flagged: bool = False
    decided_at: datetime | None = None


@dataclass
class ModelCertificate:
    id: int
    company: int
    request: int
    valid_from: datetime
    valid_until: datetime
    set_aside: bool = False
    revoked: bool = False
    #: The start of the renewal that replaces it (None while not renewed).
    replaced_from: datetime | None = None

    def status(self, now: datetime) -> CertificateStatus:
        if self.revoked:
            return REVOKED
        if now >= self.valid_until:
            return EXPIRED
        if now < self.valid_from:
            return ISSUED
        if self.set_aside or self.replaced(now):
            return INACTIVE
        return ACTIVE

    def replaced(self, now: datetime) -> bool:
        return self.replaced_from is not None and now >= self.replaced_from

    def allowed(self, now: datetime) -> set[CertificateStatus]:
        """DOMAIN.md: while ACTIVE, to INACTIVE or REVOKED; INACTIVE can be made ACTIVE again
        before it expires, unless it was replaced; revoked, expired (and not yet started): none."""
        status = self.status(now)
        if status is ACTIVE:
            return {INACTIVE, REVOKED}
        if status is INACTIVE:
            return {REVOKED} if self.replaced(now) else {ACTIVE, REVOKED}
        return set()


class Refused(Exception):
    def __init__(self, code: ErrorCode) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Model:
    now: datetime
    requests: dict[int, ModelRequest] = field(default_factory=dict)
    certificates: dict[int, ModelCertificate] = field(default_factory=dict)

    def of(self, company: int) -> tuple[list[ModelRequest], list[ModelCertificate]]:
        return (
            [r for r in self.requests.values() if r.company == company],
            [c for c in self.certificates.values() if c.company == company],
        )

    def open_request(self, company: int, but: int | None = None) -> ModelRequest | None:
        requests, _ = self.of(company)
        return next(
            (r for r in requests if r.status in (IN_REVIEW, REJECTED) and r.id != but), None
        )

    def eligibility(self, company: int, but: int | None = None) -> tuple[RequestKind, int | None]:
        """One open request at a time; the most recent certificate neither revoked nor already
        renewed is renewed, from one month before its expiry on; none: a new certificate."""
        other = self.open_request(company, but)
        if other is not None:
            raise Refused(
                ErrorCode.REQUEST_IN_PROGRESS
                if other.status is IN_REVIEW
                else ErrorCode.REQUEST_AWAITING_CORRECTION
            )
        _, certificates = self.of(company)
        pool = [
            c for c in certificates if c.status(self.now) is not REVOKED and c.replaced_from is None
        ]
        if not pool:
            return RequestKind.NEW, None
        basis = max(pool, key=lambda c: (c.valid_from, c.id))
        if self.now >= add_months(basis.valid_until, -1):
            return RequestKind.RENEWAL, basis.id
        raise Refused(ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET)

    def today(self) -> date:
        return local_date(self.now)

    def current(self, company: int) -> ModelCertificate | None:
        _, certificates = self.of(company)
        for wanted in (ACTIVE, ISSUED):
            pool = [c for c in certificates if c.status(self.now) is wanted]
            if pool:
                return max(pool, key=lambda c: (c.valid_from, c.id))
        pool = [
            c for c in certificates if c.status(self.now) is INACTIVE and not c.replaced(self.now)
        ] or certificates
        return max(pool, key=lambda c: (c.valid_from, c.id)) if pool else None

    def notices(self, company: int) -> list[NoticeCode]:
        """DOMAIN.md, "Notices at the top of the tracking screen", from the state now."""
        requests, certificates = self.of(company)
        codes: list[NoticeCode] = []
        open_request = self.open_request(company)
        if open_request is not None:
            codes.append(
                NoticeCode.REQUEST_IN_REVIEW
                if open_request.status is IN_REVIEW
                else NoticeCode.REQUEST_REJECTED
            )
        latest = max(requests, key=lambda r: (r.submitted_at, r.id)) if requests else None
        if latest is not None and latest.status is COMPLETED:
            issued = next(c for c in certificates if c.request == latest.id)
            if issued.status(self.now) is ACTIVE:
                codes.append(NoticeCode.REQUEST_APPROVED)
            elif issued.status(self.now) is ISSUED:
                codes.append(NoticeCode.CERTIFICATE_ISSUED)
        current = self.current(company)
        if current is None:
            return codes
        status = current.status(self.now)
        window = self.now >= add_months(current.valid_until, -1)
        renewed = current.replaced_from is not None
        if status is ACTIVE and not window and not renewed:
            codes.append(NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET)
        if status is INACTIVE and not current.replaced(self.now):
            codes.append(NoticeCode.CERTIFICATE_INACTIVE)
        if status is REVOKED:
            codes.append(NoticeCode.CERTIFICATE_REVOKED)
        if status is EXPIRED and open_request is None and not renewed:
            codes.append(NoticeCode.CERTIFICATE_EXPIRED)
        if status in (ACTIVE, INACTIVE) and window and open_request is None and not renewed:
            codes.append(NoticeCode.CERTIFICATE_RENEWAL_OPEN)
        return codes


# --- Driving the services from the machine's thread --------------------------------------------

serials = itertools.count(1)
tags = itertools.count(1)
picks = st.integers(0, 20)
strays = st.booleans()


class LoopBridge:
    """Runs a coroutine on the test's event loop from the machine's thread, and waits for it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run(self, awaitable: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await awaitable

        future = asyncio.run_coroutine_threadsafe(wrapped(), self.loop)
        return future.result(timeout=STEP_TIMEOUT_SECONDS)

    def outcome(self, call: Awaitable[T]) -> tuple[T | None, ErrorCode | None]:
        """The use case's result or its refusal's code; a refusal must have written nothing."""

        async def attempt() -> tuple[T | None, DomainError | None, bool]:
            before = await row_counts()
            try:
                return await call, None, True
            except DomainError as error:
                return None, error, await row_counts() == before

        result, error, unchanged = self.run(attempt())
        if error is not None:
            assert unchanged, f"a refusal ({error.code}) wrote rows"
            return None, error.code
        return result, None


def predict(decide: Callable[[], object]) -> ErrorCode | None:
    try:
        decide()
    except Refused as refusal:
        return refusal.code
    return None


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=BOGOTA)


class RulesMachine(RuleBasedStateMachine):
    reviewer: Caller  # made by the first step, `people`

    def __init__(self, bridge: LoopBridge, deps: Dependencies) -> None:
        super().__init__()
        self.bridge = bridge
        self.deps = deps
        assert isinstance(deps.clock, FixedClock)
        self.clock: FixedClock = deps.clock
        self.model = Model(now=DEFAULT_NOW)
        self.companies: list[Company] = []
        self.customers: list[Caller] = []
        self.outcomes: Counter[str] = Counter()
        self.steps: list[str] = []

    @initialize()
    def people(self) -> None:
        self.clock.set(DEFAULT_NOW)
        self.model = Model(now=DEFAULT_NOW)

        async def create() -> None:
            self.companies = [await make_company(), await make_company(name="Segunda S.A.S.")]
            self.customers = [await make_caller(Role.CUSTOMER, c) for c in self.companies]
            self.reviewer = await make_caller(Role.REVIEWER)

        self.bridge.run(create())

    # --- Helpers ------------------------------------------------------------------------------

    def check(self, step: str, expected: ErrorCode | None, got: ErrorCode | None) -> None:
        assert got == expected, f"{step}: the model expected {expected}, the service said {got}"
        outcome = f"{step} {'accepted' if got is None else f'refused {got}'}"
        self.outcomes[outcome] += 1
        self.steps.append(outcome)

    def pick_request(
        self, pick: int, wanted: RequestStatus | None = None, stray: bool = True
    ) -> ModelRequest:
        """One of the run's requests: one in `wanted` status when there is one (so the rules are
        walked, not only refused), or any, when `stray` (so they are refused too)."""
        rows = [self.model.requests[i] for i in sorted(self.model.requests)]
        pool = [r for r in rows if r.status is wanted and not stray] or rows
        return pool[pick % len(pool)]

    def company_index(self, company_id: int) -> int:
        return [company.id for company in self.companies].index(company_id)

    def set_now(self, at: datetime) -> None:
        self.clock.set(at)
        self.model.now = self.clock.now()

    # --- Rules --------------------------------------------------------------------------------

    @rule(which=st.integers(0, 1), start_in_days=st.sampled_from([None, 3, MAX_START_DAYS + 1]))
    def submit(self, which: int, start_in_days: int | None) -> None:
        model, company = self.model, self.companies[which].id
        starts_on = None if start_in_days is None else model.today() + timedelta(start_in_days)

        def decide() -> tuple[RequestKind, int | None]:
            if start_in_days is not None and start_in_days > MAX_START_DAYS:
                raise Refused(ErrorCode.VALIDITY_OUT_OF_BOUNDS)
            return model.eligibility(company)

        expected = predict(decide)
        created, got = self.bridge.outcome(
            submit(self.deps, self.customers[which], validity_starts_on=starts_on)
        )
        self.check("submit", expected, got)
        if created is not None:
            kind, renewal_of = model.eligibility(company)
            assert (created.kind, created.renewal_of_id) == (kind, renewal_of)
            model.requests[created.id] = ModelRequest(
                created.id,
                company,
                kind,
                renewal_of,
                starts_on or model.today(),
                model.now,
                model.today() - timedelta(days=10),
            )

    @precondition(lambda self: self.model.requests)
    @rule(pick=picks, flag_rut=st.booleans(), stray=strays)
    def reject(self, pick: int, flag_rut: bool, stray: bool = True) -> None:
        request = self.pick_request(pick, IN_REVIEW, stray)
        expected = None if request.status is IN_REVIEW else ErrorCode.INVALID_STATE_TRANSITION
        row = self.bridge.run(CertificateRequest.get(id=request.id))
        flagged = {DocumentKind.RUT: "Adjunta el RUT de este año."} if flag_rut else {}
        _, got = self.bridge.outcome(reject(self.deps, self.reviewer, row, flagged=flagged))
        self.check("reject", expected, got)
        if got is None:
            request.status, request.rut_flagged, request.decided_at = (
                REJECTED,
                flag_rut,
                self.model.now,
            )

    @precondition(lambda self: self.model.requests)
    @rule(pick=picks, replace_rut=st.booleans(), new_start=st.booleans(), stray=strays)
    def resubmit(self, pick: int, replace_rut: bool, new_start: bool, stray: bool = True) -> None:
        model, request = self.model, self.pick_request(pick, REJECTED, stray)
        starts_on = model.today() + timedelta(days=1) if new_start else None
        corrects = starts_on is not None and starts_on != request.starts_on

        def decide() -> None:
            if request.status is not REJECTED:
                raise Refused(ErrorCode.INVALID_STATE_TRANSITION)
            if request.rut_flagged and not replace_rut:
                raise Refused(ErrorCode.MISSING_DOCUMENT)
            if not replace_rut and not corrects:
                raise Refused(ErrorCode.NOTHING_TO_RESUBMIT)
            if model.eligibility(request.company, but=request.id) != (
                request.kind,
                request.renewal_of,
            ):
                raise Refused(ErrorCode.REQUEST_NOT_ELIGIBLE)
            if request.chamber_issued_on < model.today() - timedelta(CHAMBER_MAX_AGE_DAYS):
                raise Refused(ErrorCode.INVALID_DOCUMENT)

        expected = predict(decide)
        uploads = [upload(DocumentKind.RUT, pdf(f"RUT-{next(tags)}"))] if replace_rut else []
        customer = self.customers[self.company_index(request.company)]
        _, got = self.bridge.outcome(
            resubmit_certificate_request(
                self.deps,
                customer.principal,
                ResubmitCommand(request.id, uploads, validity_starts_on=starts_on),
            )
        )
        self.check("resubmit", expected, got)
        if got is None:
            request.status, request.submitted_at, request.rut_flagged = IN_REVIEW, model.now, False
            request.starts_on = max(starts_on or request.starts_on, model.today())

    @precondition(lambda self: self.model.requests)
    @rule(pick=picks, stray=strays)
    def withdraw(self, pick: int, stray: bool = True) -> None:
        request = self.pick_request(pick, REJECTED, stray)
        expected = None if request.status is REJECTED else ErrorCode.INVALID_STATE_TRANSITION
        customer = self.customers[self.company_index(request.company)]
        _, got = self.bridge.outcome(
            withdraw_certificate_request(
                self.deps, customer.principal, WithdrawCommand(request.id, "Ya no lo necesito.")
            )
        )
        self.check("withdraw", expected, got)
        if got is None:
            request.status = WITHDRAWN

    @precondition(lambda self: self.model.requests)
    @rule(
        pick=picks,
        start_after_days=st.sampled_from([0, 0, 2, 20, LAG_DAYS + 1]),
        duration=st.sampled_from(["15 days", "1 month", "12 months", "12 months", "37 months"]),
        stray=strays,
    )
    def approve(self, pick: int, start_after_days: int, duration: str, stray: bool = True) -> None:
        model, request = self.model, self.pick_request(pick, IN_REVIEW, stray)
        floor = max(request.starts_on, model.today())
        valid_from = start_of(floor + timedelta(days=start_after_days))
        months = {"1 month": 1, "12 months": 12, "37 months": 37}.get(duration)
        valid_until = add_months(valid_from, months) if months else valid_from + timedelta(days=15)

        def decide() -> None:
            if months is None or not MIN_MONTHS <= months <= MAX_MONTHS:
                raise Refused(ErrorCode.VALIDITY_OUT_OF_BOUNDS)
            if request.status is not IN_REVIEW:
                raise Refused(ErrorCode.INVALID_STATE_TRANSITION)
            if start_after_days > LAG_DAYS:
                raise Refused(ErrorCode.VALIDITY_OUT_OF_BOUNDS)
            if model.eligibility(request.company, but=request.id) != (
                request.kind,
                request.renewal_of,
            ):
                raise Refused(ErrorCode.REQUEST_NOT_ELIGIBLE)

        expected = predict(decide)
        row = self.bridge.run(CertificateRequest.get(id=request.id))
        done, got = self.bridge.outcome(
            approve(
                self.deps,
                self.reviewer,
                row,
                serial=f"SM-{next(serials):05d}",
                valid_from=valid_from,
                valid_until=valid_until,
            )
        )
        self.check("approve", expected, got)
        if done is not None:
            _, certificate = done
            request.status = COMPLETED
            model.certificates[certificate.id] = ModelCertificate(
                certificate.id, request.company, request.id, valid_from, valid_until
            )
            if request.renewal_of is not None:
                model.certificates[request.renewal_of].replaced_from = valid_from

    @precondition(lambda self: self.model.certificates)
    @rule(
        pick=picks,
        to=st.sampled_from(list(CertificateStatus)),
        reason=st.sampled_from([None, "   ", "Se perdió el token.", "x" * (REASON_MAX + 1)]),
        as_owner=st.booleans(),
        follow_the_list=st.booleans(),
    )
    def change_state(
        self,
        pick: int,
        to: CertificateStatus,
        reason: str | None,
        as_owner: bool,
        follow_the_list: bool,
    ) -> None:
        model = self.model
        ids = sorted(model.certificates)
        certificate = model.certificates[ids[pick % len(ids)]]
        allowed = certificate.allowed(model.now)
        if follow_the_list and allowed:
            # What the edit action offers, as a front end would send it.
            to, reason, as_owner = sorted(allowed)[pick % len(allowed)], "Se perdió el token.", True
        owner = self.company_index(certificate.company)

        def decide() -> None:
            if not as_owner:
                raise Refused(ErrorCode.NOT_FOUND)
            if to not in allowed:
                raise Refused(ErrorCode.INVALID_STATE_TRANSITION)
            cleaned = (reason or "").strip()
            if (to is REVOKED and not cleaned) or len(cleaned) > REASON_MAX:
                raise Refused(ErrorCode.INVALID_INPUT)

        expected = predict(decide)
        caller = self.customers[owner if as_owner else 1 - owner]
        _, got = self.bridge.outcome(
            change_certificate_state(
                self.deps, caller.principal, ChangeStateCommand(certificate.id, to, reason)
            )
        )
        self.check("change_state", expected, got)
        if got is None:
            if to is REVOKED:
                certificate.revoked = True
            else:
                certificate.set_aside = to is INACTIVE

    @rule()
    def run_job(self) -> None:
        model = self.model
        report = self.bridge.run(run_daily_job(self.deps, model.now))
        assert report.failed == 0
        for request in model.requests.values():
            rejected_at = request.decided_at if request.status is REJECTED else None
            if rejected_at and model.now - rejected_at >= timedelta(days=AUTO_WITHDRAW_DAYS):
                request.status = WITHDRAWN
        self.bridge.run(self.stored_is_read())

    async def stored_is_read(self) -> None:
        """After the job, what is stored is what is read: the job persisted the clock's moves."""
        for certificate in self.model.certificates.values():
            row = await Certificate.get(id=certificate.id)
            assert row.status is certificate.status(self.model.now), (
                f"certificate {row.id} stored {row.status} after the job, "
                f"the model reads {certificate.status(self.model.now)}"
            )

    @rule(
        delta=st.sampled_from(
            [
                timedelta(hours=6),
                timedelta(days=1),
                timedelta(days=61),
                timedelta(days=200),
                timedelta(days=340),
            ]
        )
    )
    def move_clock(self, delta: timedelta) -> None:
        self.set_now(self.model.now + delta)

    @precondition(lambda self: self.model.certificates)
    @rule(pick=picks, where=st.sampled_from(["start", "renewal opens", "just before end", "end"]))
    def move_clock_to_an_instant_of(self, pick: int, where: str) -> None:
        """To one of the instants where a certificate's rules change (never backwards)."""
        ids = sorted(self.model.certificates)
        certificate = self.model.certificates[ids[pick % len(ids)]]
        instant = {
            "start": certificate.valid_from,
            "renewal opens": add_months(certificate.valid_until, -1),
            "just before end": certificate.valid_until - timedelta(microseconds=1),
            "end": certificate.valid_until,
        }[where]
        self.set_now(max(self.model.now, instant))

    # --- Invariants ---------------------------------------------------------------------------

    @invariant()
    def the_database_agrees_with_the_model(self) -> None:
        if self.companies:
            self.bridge.run(self.check_rows())

    async def check_rows(self) -> None:
        model, now = self.model, self.model.now
        for company in self.companies:
            requests = await CertificateRequest.filter(company_id=company.id)
            open_ones = [r for r in requests if r.status in (IN_REVIEW, REJECTED)]
            assert len(open_ones) <= 1, f"company {company.id}: {len(open_ones)} open requests"
            for request in requests:
                assert request.status is model.requests[request.id].status, f"request {request.id}"
            certificates = await Certificate.filter(company_id=company.id)
            stored_active = [c for c in certificates if c.status is ACTIVE]
            assert len(stored_active) <= 1, f"company {company.id}: two ACTIVE rows"
            read = {c.id: read_status(c, now) for c in certificates}
            assert list(read.values()).count(ACTIVE) <= 1, f"company {company.id}: {read}"
            for row in certificates:
                expected = model.certificates[row.id]
                assert read[row.id] is expected.status(now), (
                    f"certificate {row.id}: read {read[row.id]}, model {expected.status(now)}"
                )
                listed = allowed_state_changes(
                    row.status,
                    row.valid_until,
                    now,
                    valid_from=row.valid_from,
                    superseded_at=row.superseded_at,
                )
                assert set(listed) == expected.allowed(now), (
                    f"certificate {row.id} lists {listed}, the model accepts "
                    f"{expected.allowed(now)}"
                )
            tracking = await load_tracking(company, now)
            assert [n.code for n in tracking.notices] == model.notices(company.id)
            assert tracking.can_submit_request is (
                predict(functools.partial(model.eligibility, company.id)) is None
            )
        await self.check_histories()
        await self.check_no_second_certificate()

    async def check_histories(self) -> None:
        company_ids = [company.id for company in self.companies]
        changes = await RequestStatusChange.filter(request__company_id__in=company_ids).order_by(
            "id"
        )
        for request in await CertificateRequest.filter(company_id__in=company_ids):
            links = [(c.from_status, c.to_status) for c in changes if c.request_id == request.id]
            assert_chain(f"request {request.id}", links, request.status, REQUEST_EDGES)
        changes_c = await CertificateStatusChange.filter(
            certificate__company_id__in=company_ids
        ).order_by("id")
        for certificate in await Certificate.filter(company_id__in=company_ids):
            chain = [
                (c.from_status, c.to_status)
                for c in changes_c
                if c.certificate_id == certificate.id
            ]
            assert_chain(
                f"certificate {certificate.id}", chain, certificate.status, CERTIFICATE_EDGES
            )

    async def check_no_second_certificate(self) -> None:
        """No certificate issued within another's first 11 months, except as its renewal: when
        one was issued, every earlier one was revoked, already renewed, or renewed by it. The
        run's history rows are read once (a query per pair of certificates was slow)."""
        changes = await CertificateStatusChange.filter(
            certificate_id__in=list(self.model.certificates)
        )
        for certificate in self.model.certificates.values():
            [issued] = [
                c for c in changes if c.certificate_id == certificate.id and c.from_status is None
            ]
            issued_at = issued.at
            request = self.model.requests[certificate.request]
            for other in self.model.certificates.values():
                if other.company != certificate.company or other.id >= certificate.id:
                    continue
                if request.renewal_of == other.id:
                    assert issued_at >= add_months(other.valid_until, -1)
                    continue
                revoked_at = any(
                    c.certificate_id == other.id and c.to_status is REVOKED and c.at <= issued_at
                    for c in changes
                )
                renewed_before = any(
                    self.model.requests[c.request].renewal_of == other.id
                    for c in self.model.certificates.values()
                    if c.id < certificate.id
                )
                assert revoked_at or renewed_before, (
                    f"certificate {certificate.id} issued beside {other.id}"
                )

    def teardown(self) -> None:
        self.clock.set(DEFAULT_NOW)


def read_status(row: Certificate, now: datetime) -> CertificateStatus:
    """The status the API reads for the row (the Certificate type's resolver)."""
    return effective_status(
        row.status, row.valid_from, row.valid_until, now, superseded_at=row.superseded_at
    )


def assert_chain(
    what: str,
    chain: list[tuple[Any, Any]],
    status: object,
    edges: set[tuple[Any, Any]],
) -> None:
    """The history starts from nothing, each row starts where the last ended, every link is an
    edge of DOMAIN.md, and the last row ends at the row's stored status."""
    assert chain, f"{what} has no history"
    assert chain[0][0] is None, f"{what}: history starts at {chain[0][0]}"
    for (_, ended), (started, _) in itertools.pairwise(chain):
        assert started == ended, f"{what}: history is not a chain: {chain}"
    for link in chain:
        assert link in edges, f"{what}: {link} is not an edge of DOMAIN.md: {chain}"
    assert chain[-1][1] == status, f"{what}: status {status}, history ends at {chain[-1][1]}"


def bound_machine(
    bridge: LoopBridge, deps: Dependencies, made: list[RulesMachine]
) -> type[RulesMachine]:
    class BoundMachine(RulesMachine):
        """Hypothesis makes one machine per example, with no arguments."""

        def __init__(self) -> None:
            super().__init__(bridge, deps)
            made.append(self)

    return BoundMachine


async def test_random_operations_keep_every_rule(db: str, deps: Dependencies) -> None:
    machines: list[RulesMachine] = []
    machine = bound_machine(LoopBridge(asyncio.get_running_loop()), deps, machines)
    started = datetime.now()
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=MACHINE_SETTINGS)
    elapsed = (datetime.now() - started).total_seconds()
    outcomes: Counter[str] = Counter()
    for each in machines:
        outcomes.update(each.outcomes)
    print(f"\n{len(machines)} runs in {elapsed:.1f} s: {dict(sorted(outcomes.items()))}")
    assert sum(n for key, n in outcomes.items() if key.endswith("accepted")) > 0, outcomes
    assert sum(n for key, n in outcomes.items() if "refused" in key) > 0, outcomes


async def test_a_fixed_tour_through_every_rule_of_the_issue(db: str, deps: Dependencies) -> None:
    """The same machine, steps chosen by hand, so that each rule of issue 13 is reached whatever
    the random walk drew; the model is checked after each step."""
    machine = RulesMachine(LoopBridge(asyncio.get_running_loop()), deps)

    def tour() -> None:
        machine.people()
        steps: list[Callable[[], None]] = [
            lambda: machine.submit(which=0, start_in_days=MAX_START_DAYS + 1),
            lambda: machine.submit(which=0, start_in_days=None),
            lambda: machine.reject(pick=0, flag_rut=True),
            # 1. A rejected request blocks a new one until it is corrected or withdrawn.
            lambda: machine.submit(which=0, start_in_days=None),
            # 3. A resubmission must replace what was flagged and may not be empty.
            lambda: machine.resubmit(pick=0, replace_rut=False, new_start=False),
            lambda: machine.resubmit(pick=0, replace_rut=True, new_start=True),
            lambda: machine.reject(pick=0, flag_rut=False),
            lambda: machine.resubmit(pick=0, replace_rut=False, new_start=False),
            lambda: machine.withdraw(pick=0),
            lambda: machine.submit(which=0, start_in_days=3),
            # 9. Validity bounds; 4. a start ahead is Emitido until then.
            lambda: machine.approve(pick=1, start_after_days=0, duration="37 months"),
            lambda: machine.approve(pick=1, start_after_days=LAG_DAYS + 1, duration="12 months"),
            lambda: machine.approve(pick=1, start_after_days=0, duration="12 months"),
            lambda: machine.change_state(
                pick=0, to=INACTIVE, reason=None, as_owner=True, follow_the_list=False
            ),
            lambda: machine.move_clock_to_an_instant_of(pick=0, where="start"),
            lambda: machine.run_job(),
            # 6. What is listed is accepted; the renewal window; 2. one certificate at a time.
            lambda: machine.submit(which=0, start_in_days=None),
            lambda: machine.change_state(
                pick=0, to=INACTIVE, reason=None, as_owner=True, follow_the_list=True
            ),
            lambda: machine.move_clock_to_an_instant_of(pick=0, where="renewal opens"),
            lambda: machine.submit(which=0, start_in_days=20),
            lambda: machine.approve(pick=2, start_after_days=2, duration="12 months"),
            lambda: machine.submit(which=0, start_in_days=None),
            lambda: machine.move_clock_to_an_instant_of(pick=1, where="start"),
            lambda: machine.change_state(
                pick=0, to=ACTIVE, reason=None, as_owner=True, follow_the_list=False
            ),
            lambda: machine.change_state(
                pick=1, to=REVOKED, reason="   ", as_owner=True, follow_the_list=False
            ),
            lambda: machine.change_state(
                pick=1, to=INACTIVE, reason=None, as_owner=False, follow_the_list=False
            ),
            # 5. One second after the end it reads Vencido, before any job.
            lambda: machine.move_clock_to_an_instant_of(pick=1, where="end"),
            lambda: machine.change_state(
                pick=1, to=INACTIVE, reason=None, as_owner=True, follow_the_list=False
            ),
            lambda: machine.run_job(),
            # The second company: rejected, left uncorrected, withdrawn by the job.
            lambda: machine.submit(which=1, start_in_days=None),
            lambda: machine.reject(pick=3, flag_rut=False),
            lambda: machine.move_clock(delta=timedelta(days=61)),
            lambda: machine.run_job(),
            lambda: machine.withdraw(pick=3),
        ]
        machine.the_database_agrees_with_the_model()
        for step in steps:
            step()
            machine.the_database_agrees_with_the_model()

    await asyncio.to_thread(tour)
    assert machine.steps == [
        "submit refused VALIDITY_OUT_OF_BOUNDS",
        "submit accepted",
        "reject accepted",
        "submit refused REQUEST_AWAITING_CORRECTION",
        "resubmit refused MISSING_DOCUMENT",
        "resubmit accepted",
        "reject accepted",
        "resubmit refused NOTHING_TO_RESUBMIT",
        "withdraw accepted",
        "submit accepted",
        "approve refused VALIDITY_OUT_OF_BOUNDS",
        "approve refused VALIDITY_OUT_OF_BOUNDS",
        "approve accepted",
        "change_state refused INVALID_STATE_TRANSITION",
        "submit refused CERTIFICATE_NOT_RENEWABLE_YET",
        "change_state accepted",
        "submit accepted",
        "approve accepted",
        "submit refused CERTIFICATE_NOT_RENEWABLE_YET",
        "change_state refused INVALID_STATE_TRANSITION",
        "change_state refused INVALID_INPUT",
        "change_state refused NOT_FOUND",
        "change_state refused INVALID_STATE_TRANSITION",
        "submit accepted",
        "reject accepted",
        "withdraw refused INVALID_STATE_TRANSITION",
    ]
