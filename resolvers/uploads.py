"""Reading multipart uploads into the service's UploadedDocument, bounded and always closed."""

from collections.abc import Sequence

from starlette.datastructures import UploadFile

from schema.inputs import DocumentUpload
from services.documents import UploadedDocument


def as_file(upload: DocumentUpload) -> UploadFile:
    """Strawberry types uploads loosely; on Starlette they are UploadFile."""
    file = upload.file
    if not isinstance(file, UploadFile):
        raise TypeError(f"expected an uploaded file, got {type(file).__name__}")
    return file


async def read_uploads(uploads: Sequence[DocumentUpload], max_bytes: int) -> list[UploadedDocument]:
    """Reads at most `max_bytes + 1` of each file: enough to tell the service it is too large.

    Strawberry never closes uploaded files, so this does, whatever happens.
    """
    documents: list[UploadedDocument] = []
    try:
        for upload in uploads:
            data = await as_file(upload).read(max_bytes + 1)
            documents.append(
                UploadedDocument(
                    kind=upload.kind,
                    file_name=as_file(upload).filename or "documento",
                    data=data,
                    issued_on=upload.issued_on,
                )
            )
    finally:
        for upload in uploads:
            await as_file(upload).close()
    return documents
