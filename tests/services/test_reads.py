"""Scoped reads: the request list (ordering, keyset pagination, scope) and node lookup."""

import base64
from datetime import timedelta

import pytest
from tortoise.models import Model

from domain.clock import FixedClock
from domain.enums import CertificateStatus, DocumentKind, ErrorCode, RequestStatus, Role
from domain.errors import DomainError
from models import Certificate, CertificateRequest, Company, RequestDocument, User
from services import reads
from services.dependencies import Dependencies
from services.principal import Principal
from services.resubmit_certificate_request import ResubmitCommand, resubmit_certificate_request
from services.withdraw_certificate_request import WithdrawCommand, withdraw_certificate_request
from tests.support.factories import Caller, make_caller, make_company
from tests.support.files import pdf
from tests.support.refusals import assert_refusal
from tests.support.use_cases import approve, current_documents, reject, submit, upload


async def submit_for_new_companies(deps: Dependencies, count: int) -> list[CertificateRequest]:
    """One request per new company, at the deps' clock as it stands."""
    requests = []
    for index in range(count):
        company = await make_company(name=f"Empresa {index} S.A.S.")
        requests.append(await submit(deps, await make_caller(Role.CUSTOMER, company)))
    return requests


async def walk(
    principal: Principal,
    *,
    status: RequestStatus | None = None,
    company_id: int | None = None,
    first: int = 2,
) -> tuple[list[int], list[reads.RequestPage]]:
    """Follow the pages to the end; the ids in order, and every page."""
    ids: list[int] = []
    pages: list[reads.RequestPage] = []
    after: str | None = None
    while True:
        page = await reads.list_requests(
            principal, company_id=company_id, status=status, first=first, after=after
        )
        pages.append(page)
        ids.extend(r.id for r in page.items)
        if not page.has_next_page:
            return ids, pages
        assert len(pages) < 20, "pagination does not end"
        after = page.cursors[-1]


@pytest.fixture
async def queue(deps: Dependencies, clock: FixedClock) -> list[CertificateRequest]:
    """Seven requests, submitted in this order; the middle three at the very same instant."""
    requests = await submit_for_new_companies(deps, 2)
    clock.advance(timedelta(hours=1))
    requests += await submit_for_new_companies(deps, 3)
    clock.advance(timedelta(minutes=1))
    requests += await submit_for_new_companies(deps, 2)
    return requests


def in_submission_order(requests: list[CertificateRequest]) -> list[int]:
    return [r.id for r in sorted(requests, key=lambda r: (r.submitted_at, r.id))]


# --- Ordering and pagination ---------------------------------------------------------------------


async def test_the_review_queue_is_oldest_first_across_pages(
    reviewer: Caller, queue: list[CertificateRequest]
) -> None:
    ids, pages = await walk(reviewer.principal, status=RequestStatus.IN_REVIEW)

    assert ids == in_submission_order(queue)
    assert [len(p.items) for p in pages] == [2, 2, 2, 1]
    assert [p.has_next_page for p in pages] == [True, True, True, False]
    assert [p.has_previous_page for p in pages] == [False, True, True, True]
    assert {p.total_count for p in pages} == {7}


async def test_every_other_list_is_newest_first_across_pages(
    reviewer: Caller, queue: list[CertificateRequest]
) -> None:
    ids, pages = await walk(reviewer.principal)

    assert ids == list(reversed(in_submission_order(queue)))
    assert [p.has_next_page for p in pages] == [True, True, True, False]
    assert {p.total_count for p in pages} == {7}


async def test_an_exact_number_of_pages_ends_without_an_empty_one(
    deps: Dependencies, reviewer: Caller
) -> None:
    requests = await submit_for_new_companies(deps, 4)  # all at the same instant
    ids, pages = await walk(reviewer.principal)
    assert ids == sorted((r.id for r in requests), reverse=True)
    assert [p.has_next_page for p in pages] == [True, False]


async def test_the_status_filter_and_its_ordering(
    deps: Dependencies,
    reviewer: Caller,
    queue: list[CertificateRequest],
    clock: FixedClock,
) -> None:
    clock.advance(timedelta(hours=1))
    await reject(deps, reviewer, queue[0])
    await reject(deps, reviewer, queue[4])

    rejected, pages = await walk(reviewer.principal, status=RequestStatus.REJECTED, first=1)
    assert rejected == [queue[4].id, queue[0].id]
    assert pages[0].total_count == 2
    in_review, _ = await walk(reviewer.principal, status=RequestStatus.IN_REVIEW)
    assert in_review == in_submission_order([queue[i] for i in (1, 2, 3, 5, 6)])


async def test_a_resubmitted_request_is_ordered_by_its_new_submission(
    deps: Dependencies,
    reviewer: Caller,
    customer: Caller,
    submitted: CertificateRequest,
    clock: FixedClock,
) -> None:
    clock.advance(timedelta(minutes=5))
    later = await submit_for_new_companies(deps, 1)
    await reject(deps, reviewer, submitted, flagged={DocumentKind.RUT: "Ilegible."})
    clock.advance(timedelta(minutes=5))
    await resubmit_certificate_request(
        deps,
        customer.principal,
        ResubmitCommand(submitted.id, [upload(DocumentKind.RUT, pdf("RUT-v2"))]),
    )

    ids, _ = await walk(reviewer.principal, status=RequestStatus.IN_REVIEW, first=1)
    assert ids == [later[0].id, submitted.id]


async def test_the_first_zero_and_default_page_sizes(
    reviewer: Caller, queue: list[CertificateRequest]
) -> None:
    empty = await reads.list_requests(
        reviewer.principal, company_id=None, status=None, first=0, after=None
    )
    assert (empty.items, empty.has_next_page, empty.total_count) == ([], True, 7)
    default = await reads.list_requests(
        reviewer.principal, company_id=None, status=None, first=None, after=None
    )
    assert len(default.items) == 7
    assert not default.has_next_page


@pytest.mark.parametrize("first", [101, -1])
async def test_a_page_size_out_of_range_is_refused(reviewer: Caller, first: int) -> None:
    with pytest.raises(DomainError) as refused:
        await reads.list_requests(
            reviewer.principal, company_id=None, status=None, first=first, after=None
        )
    assert_refusal(
        refused.value,
        code=ErrorCode.INVALID_INPUT,
        field="first",
        message="`first` debe estar entre 0 y 100.",
    )


async def test_the_largest_page_size_is_accepted(reviewer: Caller) -> None:
    page = await reads.list_requests(
        reviewer.principal, company_id=None, status=None, first=100, after=None
    )
    assert page.items == []


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        base64.urlsafe_b64encode(b"yesterday|7").decode(),
        base64.urlsafe_b64encode(b"2026-11-24T15:00:00+00:00|seven").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        base64.urlsafe_b64encode(b"2026-11-24T15:00:00|7").decode(),  # no time zone
        base64.urlsafe_b64encode(b"2026-11-24T15:00:00+00:00|2147483648").decode(),
        base64.urlsafe_b64encode(b"2026-11-24T15:00:00+00:00|0").decode(),
    ],
)
async def test_an_invalid_cursor_is_refused(
    reviewer: Caller, queue: list[CertificateRequest], cursor: str
) -> None:
    with pytest.raises(DomainError) as refused:
        await reads.list_requests(
            reviewer.principal, company_id=None, status=None, first=2, after=cursor
        )
    assert_refusal(
        refused.value,
        code=ErrorCode.INVALID_INPUT,
        field="after",
        message="El cursor de paginación no es válido.",
    )


# --- Scope ---------------------------------------------------------------------------------------


async def test_a_customer_lists_only_their_company(
    deps: Dependencies,
    customer: Caller,
    rejected: CertificateRequest,
    queue: list[CertificateRequest],
) -> None:
    await withdraw_certificate_request(deps, customer.principal, WithdrawCommand(rejected.id))
    own = await submit(deps, customer)

    ids, pages = await walk(customer.principal, first=1)

    assert ids == [own.id, rejected.id]
    assert pages[0].total_count == 2


async def test_a_customer_naming_another_company_gets_not_found(
    customer: Caller, other_company: Company
) -> None:
    with pytest.raises(DomainError) as refused:
        await reads.list_requests(
            customer.principal, company_id=other_company.id, status=None, first=5, after=None
        )
    assert_refusal(refused.value, code=ErrorCode.NOT_FOUND, message="No encontramos la empresa.")


async def test_a_reviewer_may_list_one_company(
    deps: Dependencies,
    reviewer: Caller,
    other_customer: Caller,
    submitted: CertificateRequest,
) -> None:
    await submit(deps, other_customer)
    ids, pages = await walk(reviewer.principal, company_id=submitted.company_id)
    assert ids == [submitted.id]
    assert pages[0].total_count == 1

    with pytest.raises(DomainError) as refused:
        await reads.list_requests(
            reviewer.principal, company_id=999_999, status=None, first=5, after=None
        )
    assert_refusal(refused.value, code=ErrorCode.NOT_FOUND, message="No encontramos la empresa.")


async def test_listing_needs_a_principal(db: str) -> None:
    with pytest.raises(DomainError) as refused:
        await reads.list_requests(None, company_id=None, status=None, first=5, after=None)
    assert_refusal(
        refused.value,
        code=ErrorCode.UNAUTHENTICATED,
        message="Inicia sesión: envía un token válido en el encabezado Authorization.",
    )


# --- Node lookup ---------------------------------------------------------------------------------


@pytest.fixture
async def rows_of_company(
    deps: Dependencies, customer: Caller, reviewer: Caller, submitted: CertificateRequest
) -> dict[type[Model], Model]:
    """One row of every node type, all belonging to `customer`'s company."""
    document = (await current_documents(submitted))[DocumentKind.RUT]
    _, certificate = await approve(deps, reviewer, submitted)
    return {
        Company: await Company.get(id=submitted.company_id),
        CertificateRequest: submitted,
        Certificate: certificate,
        RequestDocument: document,
        User: customer.user,
    }


async def test_a_customer_sees_their_own_rows(
    customer: Caller, rows_of_company: dict[type[Model], Model]
) -> None:
    for model, row in rows_of_company.items():
        found = await reads.get_visible(customer.principal, model, row.pk)
        assert found is not None, model.__name__
        assert found.pk == row.pk


async def test_every_foreign_row_is_invisible_to_another_company(
    other_customer: Caller, rows_of_company: dict[type[Model], Model]
) -> None:
    for model, row in rows_of_company.items():
        assert await reads.get_visible(other_customer.principal, model, row.pk) is None, (
            model.__name__
        )


async def test_a_missing_row_is_none_like_a_foreign_one(
    customer: Caller, rows_of_company: dict[type[Model], Model]
) -> None:
    for model in rows_of_company:
        assert await reads.get_visible(customer.principal, model, 999_999) is None


async def test_staff_see_every_company_but_only_admins_see_other_staff(
    reviewer: Caller, admin: Caller, rows_of_company: dict[type[Model], Model]
) -> None:
    for model, row in rows_of_company.items():
        assert await reads.get_visible(reviewer.principal, model, row.pk) is not None
        assert await reads.get_visible(admin.principal, model, row.pk) is not None
    assert await reads.get_visible(reviewer.principal, User, reviewer.user.id) is not None
    assert await reads.get_visible(reviewer.principal, User, admin.user.id) is None
    assert await reads.get_visible(admin.principal, User, reviewer.user.id) is not None


async def test_a_customer_does_not_see_staff_users(
    customer: Caller, reviewer: Caller, admin: Caller
) -> None:
    assert await reads.get_visible(customer.principal, User, reviewer.user.id) is None
    assert await reads.get_visible(customer.principal, User, admin.user.id) is None


async def test_node_lookup_needs_a_principal(rows_of_company: dict[type[Model], Model]) -> None:
    with pytest.raises(DomainError) as refused:
        await reads.get_visible(None, Company, rows_of_company[Company].pk)
    assert_refusal(
        refused.value,
        code=ErrorCode.UNAUTHENTICATED,
        message="Inicia sesión: envía un token válido en el encabezado Authorization.",
    )


# --- Tracking and the viewer ---------------------------------------------------------------------


async def test_tracking_is_scoped_like_every_read(
    deps: Dependencies,
    customer: Caller,
    other_customer: Caller,
    admin: Caller,
    submitted: CertificateRequest,
) -> None:
    now = deps.clock.now()
    own = await reads.get_tracking(customer.principal, None, now)
    assert own.latest_request is not None
    assert own.latest_request.id == submitted.id

    with pytest.raises(DomainError) as refused:
        await reads.get_tracking(other_customer.principal, submitted.company_id, now)
    assert_refusal(refused.value, code=ErrorCode.NOT_FOUND, message="No encontramos la empresa.")
    with pytest.raises(DomainError) as refused:
        await reads.get_tracking(admin.principal, None, now)
    assert_refusal(
        refused.value,
        code=ErrorCode.INVALID_INPUT,
        field="companyId",
        message="Indica la empresa (companyId).",
    )
    by_admin = await reads.get_tracking(admin.principal, submitted.company_id, now)
    assert by_admin.company.id == submitted.company_id


async def test_the_viewer_is_the_caller(customer: Caller) -> None:
    user = await reads.get_user(customer.principal)
    assert (user.id, user.email) == (customer.user.id, customer.user.email)


# --- Batch reads behind the loaders --------------------------------------------------------------


async def test_batch_reads_return_current_documents_history_and_certificates(
    deps: Dependencies,
    customer: Caller,
    reviewer: Caller,
    rejected: CertificateRequest,
) -> None:
    old_rut = (await current_documents(rejected))[DocumentKind.RUT]
    await resubmit_certificate_request(
        deps,
        customer.principal,
        ResubmitCommand(rejected.id, [upload(DocumentKind.RUT, pdf("RUT-v2"))]),
    )
    _, certificate = await approve(deps, reviewer, rejected)

    documents = (await reads.current_documents_by_request([rejected.id]))[rejected.id]
    assert len(documents) == 3
    assert old_rut.id not in {d.id for d in documents}
    history = (await reads.history_by_request([rejected.id, rejected.id]))[rejected.id]
    assert [h.to_status for h in history] == [
        RequestStatus.IN_REVIEW,
        RequestStatus.REJECTED,
        RequestStatus.IN_REVIEW,
        RequestStatus.COMPLETED,
    ]
    assert (await reads.certificate_by_request([rejected.id]))[rejected.id].id == certificate.id
    by_company = await reads.certificates_by_company([rejected.company_id])
    assert [c.status for c in by_company[rejected.company_id]] == [CertificateStatus.ACTIVE]
    assert await reads.request_in_review_by_company([rejected.company_id]) == {}
