"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): media types and the
shape of error answers.

A client that accepts `application/graphql-response+json` gets it, with the status codes that
media type carries (400 for a request error: a document that does not parse or validate, or
variables that do not coerce). A client asking for `application/json`, or for nothing in
particular, gets `application/json` and 200 for any well-formed request, as before the spec.
Whatever goes wrong, the answer is JSON with an `errors` list, never plain text.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.responses import Response

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"

OPERATION_NAME_NOT_A_STRING = (
    "The GraphQL operation's `operationName` must be a string or null, if provided."
)

#: Strawberry's English reasons for refusing a request, as a code and a Spanish message.
_REASONS: Mapping[str, tuple[str, str]] = {
    "Unable to parse request body as JSON": (
        "BAD_REQUEST",
        "El cuerpo de la solicitud no es JSON válido.",
    ),
    "Unsupported content type": (
        "UNSUPPORTED_MEDIA_TYPE",
        "Tipo de contenido no admitido: usa application/json o multipart/form-data.",
    ),
    "No GraphQL query found in the request": (
        "BAD_REQUEST",
        "La solicitud no trae una operación GraphQL en `query`.",
    ),
    "Batching is not enabled": (
        "BAD_REQUEST",
        "Se admite una sola operación por solicitud, no una lista.",
    ),
    "Unable to parse the multipart body": (
        "BAD_REQUEST",
        "El cuerpo multipart no se pudo leer.",
    ),
    "File(s) missing in form data": (
        "BAD_REQUEST",
        "Faltan archivos anunciados en el `map` de la solicitud multipart.",
    ),
    "GraphQL only supports GET and POST requests.": (
        "METHOD_NOT_ALLOWED",
        "GraphQL se sirve solo por GET y POST.",
    ),
    "Not Found": ("NOT_FOUND", "No encontrado."),
    "The GraphQL operation's `query` must be a string or null, if provided.": (
        "BAD_REQUEST",
        "`query` debe ser un texto.",
    ),
    OPERATION_NAME_NOT_A_STRING: ("BAD_REQUEST", "`operationName` debe ser un texto."),
    "The GraphQL operation's `variables` must be an object or null, if provided.": (
        "BAD_REQUEST",
        "`variables` debe ser un objeto.",
    ),
    "The GraphQL operation's `extensions` must be an object or null, if provided.": (
        "BAD_REQUEST",
        "`extensions` debe ser un objeto.",
    ),
}
_PREFIX_REASONS: Sequence[tuple[str, tuple[str, str]]] = (
    (
        "Can't get GraphQL operation type",
        ("BAD_REQUEST", "No se pudo determinar qué operación ejecutar: indica `operationName`."),
    ),
    (
        "Unknown operation named",
        ("BAD_REQUEST", "No se encontró la operación indicada en `operationName`."),
    ),
    (
        "mutations are not allowed when using GET",
        ("METHOD_NOT_ALLOWED", "Las mutaciones se envían por POST, no por GET."),
    ),
)
_STATUS_CODES: Mapping[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
}


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts neither of ours (406).

    No Accept header means `application/json` (the spec's legacy default). Of the types the
    client lists, the one with the higher q wins; on a tie, `application/graphql-response+json`.
    """
    if accept is None or not accept.strip():
        return APPLICATION_JSON
    best: tuple[float, int, str] | None = None
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        media = media.lower()
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            candidate = (q, 2, GRAPHQL_RESPONSE_JSON)
        elif media in (APPLICATION_JSON, "application/*", "*/*"):
            # A wildcard keeps the type every client understands.
            candidate = (q, 1, APPLICATION_JSON)
        else:
            continue
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


#: Codes whose status is more precise than Strawberry's generic 400 (the spec's 405 and 415).
_CODE_STATUS: Mapping[str, int] = {"METHOD_NOT_ALLOWED": 405, "UNSUPPORTED_MEDIA_TYPE": 415}


def request_error(reason: str, status_code: int, code: str | None = None) -> tuple[int, str, str]:
    """The status, code and Spanish message for a refusal Strawberry (or we) raised with `reason`.

    A refusal of ours that carries its `code` (server.multipart.CodedHTTPException) keeps its
    status, code and Spanish reason as they are."""
    if code is not None:
        return status_code, code, reason
    answer = _REASONS.get(reason)
    if answer is None:
        answer = next((a for prefix, a in _PREFIX_REASONS if prefix in reason), None)
    if answer is None:
        answer = (_STATUS_CODES.get(status_code, "BAD_REQUEST"), reason)
    code, message = answer
    return _CODE_STATUS.get(code, status_code), code, message


def error_body(code: str, message: str, **extensions: Any) -> dict[str, Any]:
    """A GraphQL response holding only a request error: `errors`, never `data`."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def error_response(
    status_code: int,
    code: str,
    message: str,
    media_type: str = APPLICATION_JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        orjson.dumps(error_body(code, message)),
        status_code=status_code,
        media_type=media_type,
        headers=dict(headers or {}),
    )


def is_request_error(data: object, errors: Sequence[GraphQLError] | None) -> bool:
    """Errors raised before execution began (parse, validation, variable coercion): no data at
    all and no error with a path. A field error always has a path, even one that nulls `data`."""
    return data is None and bool(errors) and all(e.path is None for e in errors or ())
