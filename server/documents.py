"""GET /documents/{id}: the file of a request's document, beside GraphQL (its `downloadUrl`)."""

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from models import RequestDocument
from resolvers.ids import from_global_id
from server.auth import Authenticator, TooManyFailures, client_address
from services.dependencies import Dependencies
from services.reads import get_visible


class DocumentDownload:
    """The route's endpoint (`download`): the same Authorization header as the API, and the same
    scoping: only callers who may see the request get the file; 404 for anyone else."""

    def __init__(self, deps: Dependencies, authenticator: Authenticator) -> None:
        self.deps = deps
        self.authenticator = authenticator

    async def download(self, request: Request) -> Response:
        try:
            principal = await self.authenticator.principal(
                request.headers.get("authorization"), client_address(request)
            )
        except TooManyFailures:
            return JSONResponse(
                {"error": "TOO_MANY_REQUESTS", "message": "Demasiados intentos fallidos."},
                status_code=429,
            )
        if principal is None:
            return JSONResponse(
                {"error": "UNAUTHENTICATED", "message": "Envía un token válido."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        decoded = from_global_id(request.path_params["document_id"])
        row = None
        if decoded is not None and decoded[0] == "RequestDocument":
            row = await get_visible(principal, RequestDocument, decoded[1])
        documents = self.deps.documents
        if row is None or not documents.exists(row.sha256):
            return JSONResponse(
                {"error": "NOT_FOUND", "message": "No encontramos el documento."}, status_code=404
            )
        return Response(
            documents.read(row.sha256),
            media_type=row.content_type,
            headers={
                "Content-Disposition": attachment(row.file_name),
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )


def attachment(file_name: str) -> str:
    """A Content-Disposition that keeps the name: ASCII for old clients, UTF-8 (RFC 6266) for all."""
    ascii_name = file_name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
