"""Turning uploaded files into stored, validated document rows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath, PureWindowsPath

from domain.documents import DocumentCandidate, validate_document
from domain.enums import DocumentKind
from domain.errors import DomainError, UserErrorInfo
from models import RequestDocument
from storage.documents import DocumentStore, StoredFile

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
    store: DocumentStore,
) -> list[AcceptedDocument]:
    """Validate every file (reporting all problems at once), then store their bytes.

    Bytes are stored before the database transaction: a refused or rolled-back use case leaves at
    most an unreferenced content-addressed file, never a row without its bytes.
    """
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
        AcceptedDocument(upload, content_type, store.put(upload.data))
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
