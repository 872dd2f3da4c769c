"""Use case: a reviewer rejects a request, saying what to correct, in general and per document."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from domain.audit import AuditAction
from domain.enums import ErrorCode
from domain.errors import DomainError, UserErrorInfo
from domain.request_lifecycle import REQUEST_ACTION_ROLES, RequestAction, next_request_status
from domain.validation import require_text
from models import CertificateRequest, RequestDocument
from notifications.emails import queue_request_rejected
from services.audit import record_audit
from services.dependencies import AfterCommit, Dependencies
from services.history import record_request_change
from services.locking import lock_request, save_versioned
from services.principal import Principal, require_role

OBSERVATIONS_MAX_LENGTH = 5000


@dataclass(frozen=True)
class DocumentObservation:
    document_id: int
    observation: str


@dataclass(frozen=True)
class RejectCommand:
    request_id: int
    observations: str
    document_observations: Sequence[DocumentObservation] = field(default_factory=list)


def clean_observations(command: RejectCommand) -> tuple[str, dict[int, str]]:
    if not (command.observations or "").strip():
        raise DomainError(
            ErrorCode.OBSERVATIONS_REQUIRED,
            "Escribe las observaciones: la empresa necesita saber qué corregir.",
            field="observations",
        )
    general = require_text(
        command.observations,
        field="observations",
        label="Las observaciones",
        max_length=OBSERVATIONS_MAX_LENGTH,
    )
    per_document: dict[int, str] = {}
    problems: list[UserErrorInfo] = []
    for index, item in enumerate(command.document_observations):
        try:
            per_document[item.document_id] = require_text(
                item.observation,
                field=f"documentObservations.{index}.observation",
                label="La observación del documento",
                max_length=OBSERVATIONS_MAX_LENGTH,
            )
        except DomainError as error:
            problems.extend(error.errors)
    if problems:
        raise DomainError.many(problems)
    return general, per_document


async def reject_certificate_request(
    deps: Dependencies, principal: Principal | None, command: RejectCommand
) -> CertificateRequest:
    caller = require_role(
        principal, REQUEST_ACTION_ROLES[RequestAction.REJECT], "rechazar solicitudes"
    )
    observations, per_document = clean_observations(command)
    now = deps.clock.now()

    after = AfterCommit()
    async with in_transaction():
        company, request = await lock_request(caller, command.request_id)
        previous_status = request.status
        request.status = next_request_status(request.status, RequestAction.REJECT)
        current = {
            doc.id: doc
            for doc in await RequestDocument.filter(request_id=request.id, superseded_at=None)
        }
        unknown = [
            UserErrorInfo(
                ErrorCode.NOT_FOUND,
                "Ese documento no forma parte de la solicitud.",
                f"documentObservations.{index}.documentId",
            )
            for index, item in enumerate(command.document_observations)
            if item.document_id not in current
        ]
        if unknown:
            raise DomainError.many(unknown)
        flagged: list[RequestDocument] = []
        for document_id, text in per_document.items():
            document = current[document_id]
            document.observation = text
            await document.save(update_fields=["observation"])
            flagged.append(document)
        request.decided_at = now
        request.observations = observations
        await save_versioned(request, now, "status", "decided_at", "observations")
        after.add(
            await record_request_change(
                request, from_status=previous_status, actor=caller, at=now, note=observations
            )
        )
        await queue_request_rejected(deps.mail, request, company, flagged)
        await record_audit(
            AuditAction.REQUEST_REJECTED,
            actor=caller,
            at=now,
            target_type="CertificateRequest",
            target_id=request.id,
            company_id=company.id,
            details={"observations": observations, "flaggedDocuments": len(flagged)},
        )
    await after.publish(deps)
    return request
