"""Reading multipart uploads into the service's UploadedDocument, bounded in size."""

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from starlette.datastructures import UploadFile

from domain.enums import DocumentKind, ErrorCode
from domain.errors import DomainError
from services.documents import UploadedDocument


class DocumentUploadFields(Protocol):
    """What resolution needs of a `DocumentUpload` input (schema/requests/inputs.py)."""

    @property
    def kind(self) -> DocumentKind: ...
    @property
    def file(self) -> object: ...
    @property
    def issued_on(self) -> date | None: ...


def as_file(upload: DocumentUploadFields) -> UploadFile:
    """Strawberry types uploads loosely; on Starlette they are UploadFile."""
    file = upload.file
    if not isinstance(file, UploadFile):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Adjunta el archivo como parte de la solicitud (GraphQL multipart request).",
            field="documents",
        )
    return file


async def read_uploads(
    uploads: Sequence[DocumentUploadFields], max_bytes: int
) -> list[UploadedDocument]:
    """Reads at most `max_bytes + 1` of each file: enough to tell the service it is too large.

    The files are closed (and their temp files removed) by the view after every operation,
    whether or not a resolver got to read them: see server/graphql_app.py.
    """
    documents: list[UploadedDocument] = []
    for upload in uploads:
        file = as_file(upload)
        documents.append(
            UploadedDocument(
                kind=upload.kind,
                file_name=file.filename or "documento",
                data=await file.read(max_bytes + 1),
                issued_on=upload.issued_on,
            )
        )
    return documents
