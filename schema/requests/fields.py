"""The requests' part of the root types: the list, the review mutations and live changes."""

from collections.abc import AsyncGenerator

import strawberry

from domain.enums import RequestStatus
from domain.errors import DomainError
from resolvers.context import AppInfo
from resolvers.requests import (
    approve_certificate_request,
    queries,
    reject_certificate_request,
    resubmit_certificate_request,
    submit_certificate_request,
    subscriptions,
    withdraw_certificate_request,
)
from resolvers.selection import selected_names
from schema.core.errors import PublicError
from schema.core.guard import or_public_error, payload_or_errors
from schema.core.lazy import DomainType
from schema.requests.inputs import (
    ApproveCertificateRequestInput,
    RejectCertificateRequestInput,
    ResubmitCertificateRequestInput,
    SubmitCertificateRequestInput,
    WithdrawCertificateRequestInput,
)
from schema.requests.payloads import (
    ApproveCertificateRequestPayload,
    RejectCertificateRequestPayload,
    ResubmitCertificateRequestPayload,
    SubmitCertificateRequestPayload,
    WithdrawCertificateRequestPayload,
)
from schema.requests.types import (
    CertificateRequest,
    CertificateRequestConnection,
    CertificateRequestStatusChange,
)

_Certificate = DomainType("schema.certificates.types", "Certificate")


async def resolve_certificate_requests(
    info: AppInfo,
    first: int | None = None,
    after: str | None = None,
    status: RequestStatus | None = None,
    company_id: strawberry.ID | None = None,
) -> CertificateRequestConnection:
    """Reviewers and operators see every company's requests; a company user its own."""
    page = await or_public_error(
        queries.certificate_requests(
            info, first=first, after=after, status=status, company_id=company_id
        )
    )
    selected = selected_names(info, "edges", "node")
    loaded = await queries.children(info, page.items, selected)
    return CertificateRequestConnection.from_page(page, loaded)


async def resolve_submit(
    info: AppInfo, input: SubmitCertificateRequestInput
) -> SubmitCertificateRequestPayload:
    """A company user (or an operator, naming the company) submits a request with its documents."""

    async def run() -> SubmitCertificateRequestPayload:
        rep = input.legal_representative
        row = await submit_certificate_request.resolve(
            info,
            documents=input.documents,
            representative_name=rep.name,
            representative_id_type=rep.id_type,
            representative_id_number=rep.id_number,
            validity_starts_on=input.validity_starts_on,
            idempotency_key=input.idempotency_key,
            company_id=input.company_id,
        )
        return SubmitCertificateRequestPayload(request=CertificateRequest.from_row(row))

    return await payload_or_errors(info, run, SubmitCertificateRequestPayload)


async def resolve_resubmit(
    info: AppInfo, input: ResubmitCertificateRequestInput
) -> ResubmitCertificateRequestPayload:
    """After a rejection: the same request again, replacing every flagged document and/or
    correcting the form."""

    async def run() -> ResubmitCertificateRequestPayload:
        rep = input.legal_representative
        row = await resubmit_certificate_request.resolve(
            info,
            request_id=input.request_id,
            documents=input.documents,
            note=input.note,
            representative=(rep.name, rep.id_type, rep.id_number) if rep is not None else None,
            validity_starts_on=input.validity_starts_on,
        )
        return ResubmitCertificateRequestPayload(request=CertificateRequest.from_row(row))

    return await payload_or_errors(info, run, ResubmitCertificateRequestPayload)


async def resolve_withdraw(
    info: AppInfo, input: WithdrawCertificateRequestInput
) -> WithdrawCertificateRequestPayload:
    """The company gives up a rejected request, so it may submit a new one."""

    async def run() -> WithdrawCertificateRequestPayload:
        row = await withdraw_certificate_request.resolve(
            info, request_id=input.request_id, reason=input.reason
        )
        return WithdrawCertificateRequestPayload(request=CertificateRequest.from_row(row))

    return await payload_or_errors(info, run, WithdrawCertificateRequestPayload)


async def resolve_reject(
    info: AppInfo, input: RejectCertificateRequestInput
) -> RejectCertificateRequestPayload:
    """A reviewer rejects with observations, optionally flagging single documents."""

    async def run() -> RejectCertificateRequestPayload:
        row = await reject_certificate_request.resolve(
            info,
            request_id=input.request_id,
            observations=input.observations,
            document_observations=[
                (item.document_id, item.observation) for item in input.document_observations or []
            ],
        )
        return RejectCertificateRequestPayload(request=CertificateRequest.from_row(row))

    return await payload_or_errors(info, run, RejectCertificateRequestPayload)


async def resolve_approve(
    info: AppInfo, input: ApproveCertificateRequestInput
) -> ApproveCertificateRequestPayload:
    """A reviewer approves: the certificate is issued with the given serial and validity."""

    async def run() -> ApproveCertificateRequestPayload:
        request, certificate = await approve_certificate_request.resolve(
            info,
            request_id=input.request_id,
            serial_number=input.serial_number,
            valid_from=input.valid_from,
            valid_until=input.valid_until,
        )
        return ApproveCertificateRequestPayload(
            request=CertificateRequest.from_row(request),
            certificate=_Certificate.from_row(certificate),
        )

    return await payload_or_errors(info, run, ApproveCertificateRequestPayload)


async def resolve_status_changed(
    info: AppInfo, request_id: strawberry.ID | None = None
) -> AsyncGenerator[CertificateRequestStatusChange, None]:
    """Every change the viewer may see; only that request's when the id is given."""
    try:
        async for event in subscriptions.events(info, request_id):
            change = await subscriptions.change(info, event)
            if change is not None:
                yield CertificateRequestStatusChange.from_row(change)
    except DomainError as error:  # no caller: refused before subscribing
        raise PublicError(error) from error


certificate_requests = strawberry.field(resolver=resolve_certificate_requests)
submit = strawberry.mutation(resolver=resolve_submit)
resubmit = strawberry.mutation(resolver=resolve_resubmit)
withdraw = strawberry.mutation(
    resolver=resolve_withdraw,
    description="Company user: give up a REJECTED request (status WITHDRAWN, «Desistida»), with "
    "an email; then a new request may be submitted. Refused for any other status "
    "(INVALID_STATE_TRANSITION).",
)
reject = strawberry.mutation(resolver=resolve_reject)
approve = strawberry.mutation(resolver=resolve_approve)
status_changed = strawberry.subscription(resolver=resolve_status_changed)
