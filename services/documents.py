"""Turning uploaded files into stored, validated document rows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath, PureWindowsPath

from domain.documents import DocumentCandidate, validate_document
from domain.enums import DocumentKind, ErrorCode
from domain.errors import DomainError, UserErrorInfo
from models import RequestDocument
from storage.documents import StoredFile, stored_file

#: How many bytes of a file the type detection looks at.
HEAD_BYTES = 512


@dataclass(frozen=True)
class UploadedDocument:
    """A file as received. `data` may be cut at the size limit + 1 byte: enough to refuse it."""

    kind: DocumentKind
    file_name: str
    data: bytes
    issued_on: date | None = None


@dataclass(frozen=True)
class AcceptedDocument:
    upload: UploadedDocument
    content_type: str
    stored: StoredFile


def clean_file_name(name: str) -> str:
    """The last path component of a client-given name, trimmed; never a path."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    return (base or "documento")[:255]


def accept_documents(
    uploads: Sequence[UploadedDocument],
    *,
    today: date,
    max_bytes: int,
) -> list[AcceptedDocument]:
    """Validate every file, reporting all problems at once. Nothing is written: a use case stores
    the bytes (`DocumentStore.staging`) only once every check of its transaction has passed."""
    problems: list[UserErrorInfo] = []
    content_types: list[str] = []
    for index, upload in enumerate(uploads):
        candidate = DocumentCandidate(
            kind=upload.kind,
            file_name=clean_file_name(upload.file_name),
            size_bytes=len(upload.data),
            head=upload.data[:HEAD_BYTES],
            issued_on=upload.issued_on,
        )
        try:
            content_types.append(
                validate_document(candidate, index=index, today=today, max_bytes=max_bytes)
            )
        except DomainError as error:
            problems.extend(error.errors)
    if problems:
        raise DomainError.many(problems)
    return [
        AcceptedDocument(upload, content_type, stored_file(upload.data))
        for upload, content_type in zip(uploads, content_types, strict=True)
    ]


async def create_document_rows(
    request_id: int, attempt: int, accepted: Sequence[AcceptedDocument], now: datetime
) -> list[RequestDocument]:
    rows = [
        RequestDocument(
            request_id=request_id,
            kind=doc.upload.kind,
            file_name=clean_file_name(doc.upload.file_name),
            content_type=doc.content_type,
            size_bytes=doc.stored.size_bytes,
            sha256=doc.stored.sha256,
            uploaded_at=now,
            issued_on=doc.upload.issued_on,
            attempt=attempt,
        )
        for doc in accepted
    ]
    for row in rows:
        await row.save()
    return rows


async def ensure_storage_quota(
    company_id: int, accepted: Sequence[AcceptedDocument], quota_bytes: int
) -> None:
    """Refuses files that would take a company past its storage quota (every attempt's files
    count: earlier attempts stay on record)."""
    if not accepted:
        return
    sizes = await RequestDocument.filter(request__company_id=company_id).values_list(
        "size_bytes", flat=True
    )
    used = sum(int(size) for size in sizes)  # type: ignore[call-overload]
    incoming = sum(doc.stored.size_bytes for doc in accepted)
    if used + incoming > quota_bytes:
        raise DomainError(
            ErrorCode.STORAGE_QUOTA_EXCEEDED,
            "La empresa no tiene espacio suficiente para estos documentos: el máximo es de "
            f"{quota_bytes // (1024 * 1024)} MB y ya usa {used // (1024 * 1024)} MB.",
            field="documents",
        )
