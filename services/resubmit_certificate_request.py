"""Use case: after a rejection, the company sends the same request again, corrected.

A resubmission replaces documents and/or corrects the form (the legal representative, the
validity's start), with the same checks as a submission; one that changes nothing is refused.
It runs the same eligibility decision as submission and approval. The corrections are written
into the history row's note, so the reviewer sees what changed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from domain.calendar import format_date_es, local_date
from domain.documents import (
    ensure_chamber_certificate_fresh,
    ensure_flagged_replaced,
    validate_document_set,
)
from domain.enums import DocumentKind, ErrorCode, PersonType
from domain.errors import DomainError
from domain.request_lifecycle import REQUEST_ACTION_ROLES, RequestAction, next_request_status
from domain.validation import REPRESENTATIVE_NOUNS, require_text, validity_start
from models import RequestDocument
from models.requests import CertificateRequest
from notifications.emails import queue_request_received
from services.dependencies import AfterCommit, Dependencies
from services.documents import (
    UploadedDocument,
    accept_documents,
    create_document_rows,
    ensure_storage_quota,
)
from services.eligibility import check_eligibility
from services.history import record_request_change
from services.locking import lock_request, save_versioned
from services.principal import Principal, require_role
from services.submit_certificate_request import LegalRepresentative, clean_legal_representative


@dataclass(frozen=True)
class ResubmitCommand:
    request_id: int
    documents: Sequence[UploadedDocument]
    note: str | None = None
    #: Corrections of the form; None keeps what the request has.
    legal_representative: LegalRepresentative | None = None
    validity_starts_on: date | None = None


def form_corrections(
    request: CertificateRequest,
    person_type: PersonType,
    representative: LegalRepresentative | None,
    starts_on: date | None,
) -> list[str]:
    """Apply the form's corrections to `request`; a Spanish line for each field that changed."""
    noun = REPRESENTATIVE_NOUNS[person_type]
    changes: list[str] = []
    if representative is not None:
        before = (
            request.legal_representative_name,
            request.legal_representative_id_type,
            request.legal_representative_id_number,
        )
        after = (representative.name, representative.id_type, representative.id_number)
        if before != after:
            changes.append(
                f"Datos del {noun}: {representative.name}, {representative.id_type.value} "
                f"{representative.id_number}."
            )
            request.legal_representative_name = representative.name
            request.legal_representative_id_type = representative.id_type
            request.legal_representative_id_number = representative.id_number
    if starts_on is not None and starts_on != request.validity_starts_on:
        changes.append(
            f"Fecha de inicio de vigencia: del {format_date_es(request.validity_starts_on)} "
            f"al {format_date_es(starts_on)}."
        )
        request.validity_starts_on = starts_on
    return changes


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
    starts_on = (
        validity_start(command.validity_starts_on, today, deps.rules)
        if command.validity_starts_on is not None
        else None
    )
    accepted = accept_documents(command.documents, today=today, max_bytes=deps.max_document_bytes)

    after = AfterCommit()
    # Files are written only after every check below, and move into the store just before the
    # commit: a crash or a failed commit then leaves an unreferenced file for the sweep, never a
    # committed row whose file is missing.
    async with in_transaction(), deps.documents.staging() as staging:
        company, request = await lock_request(caller, command.request_id)
        previous_status = request.status
        request.status = next_request_status(request.status, RequestAction.RESUBMIT)
        representative = (
            clean_legal_representative(command.legal_representative, company.person_type)
            if command.legal_representative is not None
            else None
        )
        corrections = form_corrections(request, company.person_type, representative, starts_on)
        current = await RequestDocument.filter(request_id=request.id, superseded_at=None)
        ensure_flagged_replaced(
            {doc.id: doc.kind for doc in current if doc.observation}, uploaded_kinds
        )
        if not command.documents and not corrections:
            raise DomainError(
                ErrorCode.NOTHING_TO_RESUBMIT,
                "No hay nada que reenviar: reemplaza al menos un documento o corrige algún dato "
                "de la solicitud.",
            )
        await check_eligibility(company.id, now, request)
        if request.validity_starts_on < today:
            # The date asked for passed while the request waited for its correction: the
            # validity can start today at the earliest.
            corrections += form_corrections(request, company.person_type, None, today)
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
            request,
            now,
            "status",
            "attempt",
            "submitted_at",
            "decided_at",
            "observations",
            "legal_representative_name",
            "legal_representative_id_type",
            "legal_representative_id_number",
            "validity_starts_on",
        )
        await ensure_storage_quota(company.id, accepted, deps.company_storage_quota_bytes)
        staging.add_all(doc.upload.data for doc in accepted)
        await create_document_rows(request.id, request.attempt, accepted, now)
        history_note = "\n".join([*([note] if note else []), *corrections]) or None
        after.add(
            await record_request_change(
                request, from_status=previous_status, actor=caller, at=now, note=history_note
            )
        )
        await queue_request_received(deps.mail, request, company)
    await after.publish(deps)
    return request
