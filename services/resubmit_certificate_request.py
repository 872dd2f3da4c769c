"""Use case: after a rejection, the company sends the same request again with corrected documents."""

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain.calendar import local_date
from domain.documents import (
    ensure_chamber_certificate_fresh,
    ensure_flagged_replaced,
    validate_document_set,
)
from domain.enums import DocumentKind, ErrorCode, PersonType, RequestStatus
from domain.errors import DomainError
from domain.request_lifecycle import REQUEST_ACTION_ROLES, RequestAction, next_request_status
from domain.validation import require_text
from models import RequestDocument
from models.requests import CertificateRequest
from notifications.emails import queue_request_received
from services.dependencies import AfterCommit, Dependencies
from services.documents import UploadedDocument, accept_documents, create_document_rows
from services.history import record_request_change
from services.locking import lock_request, save_versioned
from services.principal import Principal, require_role


@dataclass(frozen=True)
class ResubmitCommand:
    request_id: int
    documents: Sequence[UploadedDocument]
    note: str | None = None


def superseded_by_uploads(
    current: Sequence[RequestDocument], uploaded: Sequence[DocumentKind]
) -> list[RequestDocument]:
    """A new file of a kind replaces the current files of that kind; a new OTHER file replaces
    only the OTHER files the reviewer flagged, since several unrelated OTHER files may coexist."""
    kinds = set(uploaded)
    return [
        doc
        for doc in current
        if doc.kind in kinds and (doc.kind is not DocumentKind.OTHER or doc.observation)
    ]


def ensure_single_per_kind(kinds: Sequence[DocumentKind]) -> None:
    seen: set[DocumentKind] = set()
    for kind in kinds:
        if kind is not DocumentKind.OTHER and kind in seen:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "Adjunta un solo archivo por tipo de documento.",
                field="documents",
            )
        seen.add(kind)


async def resubmit_certificate_request(
    deps: Dependencies, principal: Principal | None, command: ResubmitCommand
) -> CertificateRequest:
    caller = require_role(
        principal,
        REQUEST_ACTION_ROLES[RequestAction.RESUBMIT],
        "reenviar solicitudes de certificado",
    )
    now = deps.clock.now()
    today = local_date(now)
    note = (
        require_text(command.note, field="note", label="La nota", max_length=2000)
        if command.note and command.note.strip()
        else None
    )
    uploaded_kinds = [doc.kind for doc in command.documents]
    ensure_single_per_kind(uploaded_kinds)
    accepted = accept_documents(
        command.documents, today=today, max_bytes=deps.max_document_bytes, store=deps.documents
    )

    after = AfterCommit()
    async with in_transaction():
        company, request = await lock_request(caller, command.request_id)
        if await (
            CertificateRequest.filter(company_id=company.id, status=RequestStatus.IN_REVIEW)
            .exclude(id=request.id)
            .exists()
        ):
            raise DomainError(
                ErrorCode.REQUEST_IN_PROGRESS,
                "Ya tienes otra solicitud en trámite. Espera su respuesta antes de reenviar esta.",
            )
        previous_status = request.status
        request.status = next_request_status(request.status, RequestAction.RESUBMIT)
        current = await RequestDocument.filter(request_id=request.id, superseded_at=None)
        ensure_flagged_replaced(
            {doc.id: doc.kind for doc in current if doc.observation}, uploaded_kinds
        )
        replaced = superseded_by_uploads(current, uploaded_kinds)
        kept = [doc for doc in current if doc not in replaced]
        validate_document_set(
            company.person_type,
            [doc.kind for doc in kept if doc.kind is not DocumentKind.OTHER]
            + [kind for kind in uploaded_kinds if kind is not DocumentKind.OTHER],
        )
        if company.person_type is PersonType.LEGAL_ENTITY:
            for doc in kept:
                if doc.kind is DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE:
                    ensure_chamber_certificate_fresh(doc.issued_on, today)

        if replaced:
            await RequestDocument.filter(id__in=[doc.id for doc in replaced]).update(
                superseded_at=now
            )
        request.attempt += 1
        request.submitted_at = now
        request.decided_at = None
        request.observations = None
        await save_versioned(
            request, now, "status", "attempt", "submitted_at", "decided_at", "observations"
        )
        await create_document_rows(request.id, request.attempt, accepted, now)
        after.add(
            await record_request_change(
                request, from_status=previous_status, actor=caller, at=now, note=note
            )
        )
        await queue_request_received(deps.mail, request, company)
    await after.publish(deps)
    return request
