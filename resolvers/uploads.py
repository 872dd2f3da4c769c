"""Reading multipart uploads into the service's UploadedDocument, bounded in size."""

from collections.abc import Sequence

from starlette.datastructures import UploadFile

from domain.enums import ErrorCode
from domain.errors import DomainError
from schema.inputs import DocumentUpload
from services.documents import UploadedDocument


def as_file(upload: DocumentUpload) -> UploadFile:
    """Strawberry types uploads loosely; on Starlette they are UploadFile."""
    file = upload.file
    if not isinstance(file, UploadFile):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Adjunta el archivo como parte de la solicitud (GraphQL multipart request).",
            field="documents",
        )
    return file


async def read_uploads(uploads: Sequence[DocumentUpload], max_bytes: int) -> list[UploadedDocument]:
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
