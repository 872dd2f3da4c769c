"""Use case: a company submits a request for its own certificate (new, or a renewal)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from domain.calendar import local_date
from domain.documents import validate_document_set
from domain.enums import ErrorCode, IdentityDocumentType, PersonType
from domain.errors import DomainError
from domain.request_lifecycle import REQUEST_ACTION_ROLES, RequestAction, next_request_status
from domain.validation import (
    representative_name_label,
    require_text,
    validate_identity_number,
    validity_start,
)
from models import CertificateRequest, Company
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
from services.locking import lock_company
from services.principal import Principal, not_found, require_role, target_company_id

IDEMPOTENCY_KEY_MAX_LENGTH = 100


@dataclass(frozen=True)
class LegalRepresentative:
    name: str
    id_type: IdentityDocumentType
    id_number: str


@dataclass(frozen=True)
class SubmitCommand:
    documents: Sequence[UploadedDocument]
    legal_representative: LegalRepresentative
    validity_starts_on: date | None = None
    idempotency_key: str | None = None
    company_id: int | None = None


def clean_legal_representative(
    rep: LegalRepresentative, person_type: PersonType = PersonType.LEGAL_ENTITY
) -> LegalRepresentative:
    """The representative as stored; for a natural person, messages speak of the holder."""
    field = "legalRepresentative"
    return LegalRepresentative(
        name=require_text(
            rep.name, field=f"{field}.name", label=representative_name_label(person_type)
        ),
        id_type=rep.id_type,
        id_number=validate_identity_number(rep.id_type, rep.id_number, field=f"{field}.idNumber"),
    )


def clean_idempotency_key(key: str | None) -> str | None:
    if key is None or not key.strip():
        return None
    key = key.strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"La clave de idempotencia admite hasta {IDEMPOTENCY_KEY_MAX_LENGTH} caracteres.",
            field="idempotencyKey",
        )
    return key


async def submit_certificate_request(
    deps: Dependencies, principal: Principal | None, command: SubmitCommand
) -> CertificateRequest:
    caller = require_role(
        principal,
        REQUEST_ACTION_ROLES[RequestAction.SUBMIT],
        "enviar solicitudes de certificado",
    )
    company_id = target_company_id(caller, command.company_id)
    now = deps.clock.now()
    today = local_date(now)
    starts_on = validity_start(command.validity_starts_on, today, deps.rules)
    key = clean_idempotency_key(command.idempotency_key)

    if key is not None:
        earlier = await CertificateRequest.get_or_none(company_id=company_id, idempotency_key=key)
        if earlier is not None:
            return earlier
    company = await Company.get_or_none(id=company_id)
    if company is None:
        raise not_found("la empresa")
    representative = clean_legal_representative(command.legal_representative, company.person_type)
    validate_document_set(company.person_type, [doc.kind for doc in command.documents])
    accepted = accept_documents(
        command.documents,
        today=today,
        max_bytes=deps.max_document_bytes,
    )

    after = AfterCommit()
    # Files are written only after every check below, and move into the store just before the
    # commit: a crash or a failed commit then leaves an unreferenced file for the sweep, never a
    # committed row whose file is missing.
    async with in_transaction(), deps.documents.staging() as staging:
        company = await lock_company(caller, company_id)
        if key is not None:
            earlier = await CertificateRequest.get_or_none(
                company_id=company_id, idempotency_key=key
            )
            if earlier is not None:
                return earlier
        decision = await check_eligibility(company_id, now)
        request = await CertificateRequest.create(
            company_id=company_id,
            kind=decision.kind,
            status=next_request_status(None, RequestAction.SUBMIT),
            attempt=1,
            legal_representative_name=representative.name,
            legal_representative_id_type=representative.id_type,
            legal_representative_id_number=representative.id_number,
            validity_starts_on=starts_on,
            renewal_of_id=decision.renewal_of_id,
            submitted_at=now,
            submitted_by_id=caller.user_id,
            idempotency_key=key,
        )
        await ensure_storage_quota(company_id, accepted, deps.company_storage_quota_bytes)
        staging.add_all(doc.upload.data for doc in accepted)
        await create_document_rows(request.id, request.attempt, accepted, now)
        after.add(
            await record_request_change(request, from_status=None, actor=caller, at=now, note=None)
        )
        await queue_request_received(deps.mail, request, company)
    await after.publish(deps)
    return request
