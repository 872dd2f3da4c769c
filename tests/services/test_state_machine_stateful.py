"""A hypothesis state machine driving the real use cases on the test database (SQLite, PostgreSQL).

Hypothesis picks the next step: a company submits, a reviewer rejects or approves, the company
resubmits (replacing the flagged documents, or forgetting one), the company changes the state
of a certificate (its own, or another company's), or the clock moves (hours, to past an expiry).
After every step the rows themselves must still tell a story the transition tables allow:

- at most one request in review and at most one active certificate per company;
- each request's and certificate's history is a chain (each row starts where the previous one
  ended, the first from nothing) whose last row ends at the row's status, and whose every link
  is in the tables: a request only by `REQUEST_TRANSITIONS`, a certificate only by the company's
  edit action, the system's transitions, or its issue as ACTIVE;
- no certificate became ACTIVE at or past its validity's end;
- every refusal wrote nothing (row counts of every table before and after).

Hypothesis' state machines are synchronous and the use cases are coroutines on the test's
event loop (Tortoise's connection lives in the test task's context). So the async test hands
the machine to a worker thread (`asyncio.to_thread`, which copies that context) and each step
sends its coroutine back to the loop with `asyncio.run_coroutine_threadsafe`, waiting for the
result. Each example makes its own companies, so examples do not see each other's rows.

Which use cases a random walk reaches varies from run to run, so a second test drives the same
machine through a fixed tour that accepts and refuses each of them at least once.
"""

import asyncio
import itertools
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
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

from domain.certificate_lifecycle import (
    COMPANY_STATE_CHANGES,
    REASON_MAX_LENGTH,
    SYSTEM_TRANSITIONS,
)
from domain.clock import FixedClock
from domain.enums import CertificateStatus, DocumentKind, ErrorCode, RequestStatus, Role
from domain.errors import DomainError
from domain.renewal import renewable_from
from domain.request_lifecycle import REQUEST_TRANSITIONS
from models import (
    Certificate,
    CertificateRequest,
    CertificateStatusChange,
    Company,
    RequestStatusChange,
)
from services.change_certificate_state import ChangeStateCommand, change_certificate_state
from services.dependencies import Dependencies
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from tests.conftest import DEFAULT_NOW
from tests.services.conftest import (
    ONE_YEAR,
    approve,
    current_documents,
    reject,
    row_counts,
    submit,
    upload,
)
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import pdf

T = TypeVar("T")

#: Small on purpose: every step is a real transaction; this runs in a few seconds per backend.
#: STATE_MACHINE_EXAMPLES widens a run by hand.
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("STATE_MACHINE_EXAMPLES") or 20),
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
STEP_TIMEOUT_SECONDS = 30

REQUEST_EDGES = {(source, target) for (source, _), target in REQUEST_TRANSITIONS.items()}
CERTIFICATE_EDGES = {
    (None, CertificateStatus.ACTIVE),  # issued by an approval
    *((source, target) for source, targets in COMPANY_STATE_CHANGES.items() for target in targets),
    *((source, target) for sources, target in SYSTEM_TRANSITIONS.values() for source in sources),
}

#: What each use case may answer when it refuses; anything else is a bug in the machine or the
#: service.
SUBMIT_REFUSALS = {ErrorCode.REQUEST_IN_PROGRESS, ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET}
DECISION_REFUSALS = {ErrorCode.INVALID_STATE_TRANSITION}
RESUBMIT_REFUSALS = {
    ErrorCode.INVALID_STATE_TRANSITION,
    ErrorCode.REQUEST_IN_PROGRESS,
    ErrorCode.MISSING_DOCUMENT,
    ErrorCode.INVALID_DOCUMENT,
}
CHANGE_REFUSALS = {ErrorCode.INVALID_STATE_TRANSITION, ErrorCode.INVALID_INPUT, ErrorCode.NOT_FOUND}

CLOCK_MOVES = [
    timedelta(hours=1),
    timedelta(days=1),
    timedelta(days=40),
    timedelta(days=200),
    timedelta(days=340),
    timedelta(days=400),
]
picks = st.integers(0, 20)
strays = st.booleans()
serials = itertools.count(1)
tags = itertools.count(1)


class LoopBridge:
    """Runs a coroutine on the test's event loop from the machine's thread, and waits for it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.last_refusal: ErrorCode | None = None

    def run(self, awaitable: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await awaitable

        future = asyncio.run_coroutine_threadsafe(wrapped(), self.loop)
        return future.result(timeout=STEP_TIMEOUT_SECONDS)

    def refused_or_done(self, call: Awaitable[T], allowed: set[ErrorCode]) -> T | None:
        """The use case's result, or None when it refused with an allowed code and wrote nothing."""

        async def attempt() -> tuple[T | None, DomainError | None, bool]:
            before = await row_counts()
            try:
                return await call, None, True
            except DomainError as error:
                return None, error, await row_counts() == before

        result, error, unchanged = self.run(attempt())
        self.last_refusal = error.code if error is not None else None
        if error is not None:
            assert error.code in allowed, error.errors
            assert unchanged, f"a refusal ({error.code}) wrote rows"
        return result


class CertificatesMachine(RuleBasedStateMachine):
    reviewer: Caller  # made by the first step, `people`

    def __init__(self, bridge: LoopBridge, deps: Dependencies) -> None:
        super().__init__()
        self.bridge = bridge
        self.deps = deps
        assert isinstance(deps.clock, FixedClock)
        self.clock: FixedClock = deps.clock
        self.companies: list[Company] = []
        self.customers: list[Caller] = []
        self.requests: list[int] = []
        self.certificates: list[int] = []
        self.outcomes: Counter[str] = Counter()
        self.steps: list[str] = []

    @initialize(
        first=st.sampled_from(["nothing", "in_review", "rejected"]),
        second=st.sampled_from(["rejected", "certified", "renewed"]),
    )
    def people(self, first: str, second: str) -> None:
        """Two companies, each starting from a state drawn here, reached through the use cases
        themselves: nothing yet, a request in review, a rejected one, an issued certificate, or
        a renewed one (its predecessor, still valid, set aside: the pair that must never both
        be active). Every run starts with something each use case can act on."""
        starts = [first, second]
        self.clock.set(DEFAULT_NOW)

        async def create() -> None:
            self.companies = [await make_company(), await make_company(name="Segunda S.A.S.")]
            self.customers = [await make_caller(Role.CUSTOMER, c) for c in self.companies]
            self.reviewer = await make_caller(Role.REVIEWER)
            for customer, start in zip(self.customers, starts, strict=True):
                if start == "nothing":
                    continue
                request = await submit(self.deps, customer)
                self.requests.append(request.id)
                if start == "rejected":
                    await reject(
                        self.deps, self.reviewer, request, flagged={DocumentKind.RUT: "Otro."}
                    )
                elif start == "certified":
                    serial = f"SM-{next(serials):05d}"
                    _, certificate = await approve(self.deps, self.reviewer, request, serial)
                    self.certificates.append(certificate.id)
                elif start == "renewed":
                    # Ten days of validity: the renewal window (a month before expiry) is open.
                    now = self.clock.now()
                    serial = f"SM-{next(serials):05d}"
                    _, old = await approve(
                        self.deps, self.reviewer, request, serial, now, now + timedelta(days=10)
                    )
                    renewal = await submit(self.deps, customer)
                    serial = f"SM-{next(serials):05d}"
                    _, new = await approve(self.deps, self.reviewer, renewal, serial)
                    self.requests.append(renewal.id)
                    self.certificates += [old.id, new.id]

        self.bridge.run(create())

    # --- Helpers ------------------------------------------------------------------------------

    def count(self, step: str, result: object) -> None:
        if result is None:
            outcome = f"{step} refused {self.bridge.last_refusal}"
            self.outcomes[f"{step} refused"] += 1
        else:
            outcome = f"{step} accepted"
        self.outcomes[outcome] += 1
        self.steps.append(outcome)

    def pick_request(self, pick: int, wanted: RequestStatus, stray: bool) -> CertificateRequest:
        """One of this run's requests: one in `wanted` status when there is one (so the tables
        are walked, not only refused), or any, when `stray` (so they are refused too)."""
        rows = self.bridge.run(CertificateRequest.filter(id__in=self.requests).order_by("id"))
        pool = [row for row in rows if row.status is wanted and not stray] or rows
        return pool[pick % len(pool)]

    # --- Rules --------------------------------------------------------------------------------

    @rule(which=st.integers(0, 1))
    def submit(self, which: int) -> None:
        created = self.bridge.refused_or_done(
            submit(self.deps, self.customers[which], chamber_age_days=10), SUBMIT_REFUSALS
        )
        if created is not None:
            assert created.status is RequestStatus.IN_REVIEW
            self.requests.append(created.id)
        self.count("submit", created)

    @precondition(lambda self: self.requests)
    @rule(pick=picks, stray=strays, flag=st.sampled_from([None, *DocumentKind]))
    def reject(self, pick: int, stray: bool, flag: DocumentKind | None) -> None:
        request = self.pick_request(pick, RequestStatus.IN_REVIEW, stray)
        documents = self.bridge.run(current_documents(request))
        flagged = {flag: "Adjúntalo de nuevo."} if flag in documents else {}
        done = self.bridge.refused_or_done(
            reject(self.deps, self.reviewer, request, flagged=flagged), DECISION_REFUSALS
        )
        assert (done is not None) is (request.status is RequestStatus.IN_REVIEW)
        self.count("reject", done)

    @precondition(lambda self: self.requests)
    @rule(pick=picks, stray=strays, replace_flagged=st.booleans())
    def resubmit(self, pick: int, stray: bool, replace_flagged: bool) -> None:
        request = self.pick_request(pick, RequestStatus.REJECTED, stray)
        documents = self.bridge.run(current_documents(request))
        kinds = [kind for kind, doc in documents.items() if doc.observation] or [DocumentKind.RUT]
        if not replace_flagged:
            kinds = kinds[1:]
        uploads = [upload(kind, pdf(f"{kind.value}-{next(tags)}")) for kind in kinds]
        customer = self.customers[self.company_index(request.company_id)]
        done = self.bridge.refused_or_done(
            resubmit_certificate_request(
                self.deps, customer.principal, ResubmitCommand(request.id, uploads)
            ),
            RESUBMIT_REFUSALS,
        )
        if request.status is not RequestStatus.REJECTED:
            assert done is None
        self.count("resubmit", done)

    @precondition(lambda self: self.requests)
    @rule(
        pick=picks,
        stray=strays,
        validity=st.sampled_from([timedelta(days=1), timedelta(days=10), ONE_YEAR]),
    )
    def approve(self, pick: int, stray: bool, validity: timedelta) -> None:
        request = self.pick_request(pick, RequestStatus.IN_REVIEW, stray)
        now = self.clock.now()
        done = self.bridge.refused_or_done(
            approve(
                self.deps,
                self.reviewer,
                request,
                serial=f"SM-{next(serials):05d}",
                valid_from=now,
                valid_until=now + validity,
            ),
            DECISION_REFUSALS,
        )
        assert (done is not None) is (request.status is RequestStatus.IN_REVIEW)
        if done is not None:
            _, certificate = done
            assert certificate.status is CertificateStatus.ACTIVE
            self.certificates.append(certificate.id)
        self.count("approve", done)

    @precondition(lambda self: self.certificates)
    @rule(
        pick=picks,
        stray=strays,
        to=st.sampled_from(list(CertificateStatus)),
        reason=st.sampled_from([None, "", "Se perdió el token.", "x" * (REASON_MAX_LENGTH + 1)]),
        as_owner=st.booleans(),
    )
    def change_state(
        self, pick: int, stray: bool, to: CertificateStatus, reason: str | None, as_owner: bool
    ) -> None:
        rows = self.bridge.run(Certificate.filter(id__in=self.certificates).order_by("id"))
        before = rows[pick % len(rows)]
        if not stray:
            # A move the table allows, by the owner, with a reason when one is needed.
            allowed = sorted(COMPANY_STATE_CHANGES[before.status])
            to = allowed[pick % len(allowed)] if allowed else to
            reason, as_owner = reason or "Se perdió el token.", True
        owner = self.company_index(before.company_id)
        caller = self.customers[owner if as_owner else 1 - owner]
        done = self.bridge.refused_or_done(
            change_certificate_state(
                self.deps, caller.principal, ChangeStateCommand(before.id, to, reason)
            ),
            CHANGE_REFUSALS,
        )
        if done is not None:
            assert as_owner
            assert to in COMPANY_STATE_CHANGES[before.status]
            assert self.clock.now() < before.valid_until
        self.count("change_state", done)

    @rule(delta=st.sampled_from(CLOCK_MOVES))
    def move_clock(self, delta: timedelta) -> None:
        self.clock.advance(delta)

    @precondition(lambda self: self.certificates)
    @rule(pick=picks, where=st.sampled_from(["renewal opens", "before", "at", "after"]))
    def move_clock_near_expiry(self, pick: int, where: str) -> None:
        """To one of the instants where the rules change for a certificate (never backwards)."""
        certificate = self.bridge.run(
            Certificate.get(id=self.certificates[pick % len(self.certificates)])
        )
        until = certificate.valid_until
        instant = {
            "renewal opens": renewable_from(until),
            "before": until - timedelta(microseconds=1),
            "at": until,
            "after": until + timedelta(days=1),
        }[where]
        self.clock.set(max(self.clock.now(), instant))

    def company_index(self, company_id: int) -> int:
        return [company.id for company in self.companies].index(company_id)

    # --- Invariants ---------------------------------------------------------------------------

    @invariant()
    def the_rows_follow_the_tables(self) -> None:
        if self.companies:
            self.bridge.run(self.check_rows())

    async def check_rows(self) -> None:
        company_ids = [company.id for company in self.companies]
        for company_id in company_ids:
            in_review = await CertificateRequest.filter(
                company_id=company_id, status=RequestStatus.IN_REVIEW
            ).count()
            assert in_review <= 1, f"company {company_id}: {in_review} requests in review"
            active = await Certificate.filter(
                company_id=company_id, status=CertificateStatus.ACTIVE
            ).count()
            assert active <= 1, f"company {company_id}: {active} active certificates"

        request_history = await RequestStatusChange.filter(
            request__company_id__in=company_ids
        ).order_by("id")
        for request in await CertificateRequest.filter(company_id__in=company_ids):
            links = [
                (c.from_status, c.to_status) for c in request_history if c.request_id == request.id
            ]
            assert_chain(f"request {request.id}", links, request.status, REQUEST_EDGES)

        certificate_history = await CertificateStatusChange.filter(
            certificate__company_id__in=company_ids
        ).order_by("id")
        for certificate in await Certificate.filter(company_id__in=company_ids):
            history = [c for c in certificate_history if c.certificate_id == certificate.id]
            chain = [(c.from_status, c.to_status) for c in history]
            assert_chain(
                f"certificate {certificate.id}", chain, certificate.status, CERTIFICATE_EDGES
            )
            for change in history:
                if change.to_status is CertificateStatus.ACTIVE:
                    assert change.at < certificate.valid_until, (
                        f"certificate {certificate.id} became ACTIVE at {change.at}, "
                        f"past its validity ({certificate.valid_until})"
                    )

    def teardown(self) -> None:
        self.clock.set(DEFAULT_NOW)


def assert_chain(
    what: str,
    chain: list[tuple[Any, Any]],
    status: object,
    edges: set[tuple[Any, Any]],
) -> None:
    """The history starts from nothing, each row starts where the last ended, every link is in
    the table, and the last row ends at the row's status."""
    assert chain, f"{what} has no history"
    assert chain[0][0] is None, f"{what}: history starts at {chain[0][0]}"
    for (_, ended), (started, _) in itertools.pairwise(chain):
        assert started == ended, f"{what}: history is not a chain: {chain}"
    for link in chain:
        assert link in edges, f"{what}: {link} is not in the transition table: {chain}"
    assert chain[-1][1] == status, f"{what}: status {status}, history ends at {chain[-1][1]}"


def bound_machine(
    bridge: LoopBridge, deps: Dependencies, made: list[CertificatesMachine]
) -> type[CertificatesMachine]:
    class BoundMachine(CertificatesMachine):
        """Hypothesis makes one machine per example, with no arguments."""

        def __init__(self) -> None:
            super().__init__(bridge, deps)
            made.append(self)

    return BoundMachine


async def test_random_operations_never_leave_the_transition_tables(
    db: str, deps: Dependencies
) -> None:
    machines: list[CertificatesMachine] = []
    machine = bound_machine(LoopBridge(asyncio.get_running_loop()), deps, machines)
    started = datetime.now()
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=MACHINE_SETTINGS)
    elapsed = (datetime.now() - started).total_seconds()
    outcomes: Counter[str] = Counter()
    for each in machines:
        outcomes.update(each.outcomes)
    print(f"\n{len(machines)} runs in {elapsed:.1f} s: {dict(sorted(outcomes.items()))}")
    # Which use cases a random walk reaches varies from run to run (the tour below reaches
    # each of them for sure); it always both accepts and refuses something.
    assert sum(n for key, n in outcomes.items() if key.endswith("accepted")) > 0, outcomes
    assert sum(n for key, n in outcomes.items() if key.endswith("refused")) > 0, outcomes


async def test_a_fixed_tour_takes_every_use_case_both_ways(db: str, deps: Dependencies) -> None:
    """The same machine, steps chosen by hand, so that every use case is accepted and refused
    at least once whatever the random walk drew; the invariants are checked after each step."""
    machine = CertificatesMachine(LoopBridge(asyncio.get_running_loop()), deps)
    active, inactive = CertificateStatus.ACTIVE, CertificateStatus.INACTIVE

    def tour() -> None:
        # The first company has a rejected request (RUT flagged); the second a renewed
        # certificate: the old one set aside (still valid ten days), the new one active.
        machine.people(first="rejected", second="renewed")
        steps: list[Callable[[], None]] = [
            lambda: machine.resubmit(pick=0, stray=False, replace_flagged=False),
            lambda: machine.resubmit(pick=0, stray=False, replace_flagged=True),
            lambda: machine.submit(which=0),
            lambda: machine.reject(pick=0, stray=False, flag=None),
            lambda: machine.reject(pick=0, stray=False, flag=None),
            lambda: machine.resubmit(pick=0, stray=False, replace_flagged=True),
            lambda: machine.approve(pick=0, stray=False, validity=ONE_YEAR),
            lambda: machine.approve(pick=0, stray=True, validity=ONE_YEAR),
            # The old certificate may not come back while the new one is active...
            lambda: machine.change_state(pick=0, stray=True, to=active, reason=None, as_owner=True),
            # ...it may once the new one is revoked, which is for good.
            lambda: machine.change_state(
                pick=1, stray=False, to=active, reason=None, as_owner=True
            ),
            lambda: machine.change_state(pick=0, stray=True, to=active, reason=None, as_owner=True),
            lambda: machine.change_state(pick=1, stray=True, to=active, reason=None, as_owner=True),
            # Another company's certificate does not exist for this caller.
            lambda: machine.change_state(
                pick=2, stray=True, to=inactive, reason=None, as_owner=False
            ),
            # Past its validity nothing changes it, and the renewal's approval marks it expired.
            lambda: machine.move_clock_near_expiry(pick=0, where="after"),
            lambda: machine.change_state(
                pick=0, stray=True, to=inactive, reason=None, as_owner=True
            ),
            lambda: machine.submit(which=1),
            lambda: machine.approve(pick=0, stray=False, validity=ONE_YEAR),
        ]
        machine.the_rows_follow_the_tables()
        for step in steps:
            step()
            machine.the_rows_follow_the_tables()

    await asyncio.to_thread(tour)
    assert machine.steps == [
        "resubmit refused MISSING_DOCUMENT",
        "resubmit accepted",
        "submit refused REQUEST_IN_PROGRESS",
        "reject accepted",
        "reject refused INVALID_STATE_TRANSITION",
        "resubmit accepted",
        "approve accepted",
        "approve refused INVALID_STATE_TRANSITION",
        "change_state refused INVALID_STATE_TRANSITION",
        "change_state accepted",
        "change_state accepted",
        "change_state refused INVALID_STATE_TRANSITION",
        "change_state refused NOT_FOUND",
        "change_state refused INVALID_STATE_TRANSITION",
        "submit accepted",
        "approve accepted",
    ]
    statuses = await Certificate.filter(company_id=machine.companies[1].id).order_by("id")
    assert [c.status for c in statuses] == [
        CertificateStatus.EXPIRED,
        CertificateStatus.REVOKED,
        CertificateStatus.ACTIVE,
    ]
