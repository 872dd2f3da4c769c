"""Persisted queries: Apollo's automatic persisted queries (APQ) and trusted documents.

PERSISTED_QUERIES=apq (default): a client may send `extensions.persistedQuery.sha256Hash`
without the query; the server answers PERSISTED_QUERY_NOT_FOUND until it has seen the query
once with that hash (Apollo's PersistedQueryLink then resends it whole). Queries are kept in a
bounded, least-recently-used memory of PERSISTED_QUERIES_CACHE_SIZE entries per process. With a
hash, queries may travel by GET, which a CDN can cache.

PERSISTED_QUERIES=only: the server runs only documents registered with `certs documents add`
(a .graphql file, or a JSON manifest of hash → document as graphql-codegen's client preset and
relay-compiler write), by hash or by their exact text: the production setting for known front
ends. GraphiQL's arbitrary queries are refused there too.

PERSISTED_QUERIES=off: the extension is refused with PERSISTED_QUERY_NOT_SUPPORTED.
"""

import hashlib
import re
from collections import OrderedDict
from typing import Any

import orjson
from graphql import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.types.execution import ExecutionResult

from models.persisted import PersistedDocument

MODES = ("off", "apq", "only")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def refusal(code: str, message: str) -> ExecutionResult:
    """A request error (no `data`): 200 under application/json, 400 under graphql-response+json."""
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


NOT_FOUND = (
    "PERSISTED_QUERY_NOT_FOUND",
    "La operación persistida no se conoce todavía: envíala completa con su hash.",
)


class PersistedQueries:
    def __init__(self, mode: str = "apq", cache_size: int = 1000) -> None:
        if mode not in MODES:
            raise ValueError(f"PERSISTED_QUERIES must be one of {', '.join(MODES)}")
        self.mode = mode
        self.cache_size = cache_size
        self._seen: OrderedDict[str, str] = OrderedDict()
        #: Registered documents already read from the database (they never change).
        self._trusted: dict[str, str] = {}

    async def resolve(self, data: GraphQLRequestData) -> GraphQLRequestData | ExecutionResult:
        """The request with its query, or the refusal to answer instead of running it."""
        extension: Any = (data.extensions or {}).get("persistedQuery")
        if extension is None:
            if (
                self.mode == "only"
                and data.query is not None
                and await self._registered(sha256_hex(data.query)) is None
            ):
                return refusal(
                    "PERSISTED_QUERY_NOT_ALLOWED",
                    "Este servidor solo ejecuta operaciones registradas.",
                )
            return data
        if self.mode == "off":
            return refusal(
                "PERSISTED_QUERY_NOT_SUPPORTED",
                "Este servidor no admite consultas persistidas: envía la consulta completa.",
            )
        digest = extension.get("sha256Hash") if isinstance(extension, dict) else None
        if (
            not isinstance(extension, dict)
            or extension.get("version", 1) != 1
            or not isinstance(digest, str)
            or not _SHA256.fullmatch(digest)
        ):
            return refusal(
                "BAD_REQUEST",
                "`extensions.persistedQuery` debe traer version 1 y un sha256Hash hexadecimal.",
            )
        if data.query is not None and sha256_hex(data.query) != digest:
            return refusal(
                "PERSISTED_QUERY_HASH_MISMATCH", "El sha256Hash no corresponde a la consulta."
            )
        if self.mode == "only":
            registered = await self._registered(digest)
            if registered is None:
                return refusal(
                    "PERSISTED_QUERY_NOT_ALLOWED",
                    "Este servidor solo ejecuta operaciones registradas.",
                )
            return _with_query(data, registered)
        if data.query is not None:
            self._remember(digest, data.query)
            return data
        known = self._seen.get(digest)
        if known is None:
            return refusal(*NOT_FOUND)
        self._seen.move_to_end(digest)
        return _with_query(data, known)

    def _remember(self, digest: str, query: str) -> None:
        self._seen[digest] = query
        self._seen.move_to_end(digest)
        while len(self._seen) > self.cache_size:
            self._seen.popitem(last=False)

    async def _registered(self, digest: str) -> str | None:
        known = self._trusted.get(digest)
        if known is None:
            row = await PersistedDocument.get_or_none(sha256=digest)
            if row is not None:
                known = self._trusted[digest] = row.body
        return known


def _with_query(data: GraphQLRequestData, query: str) -> GraphQLRequestData:
    return GraphQLRequestData(
        query=query,
        variables=data.variables,
        operation_name=data.operation_name,
        extensions=data.extensions,
        protocol=data.protocol,
    )


def documents_in(text: str) -> dict[str, str]:
    """The documents of a file given to `certs documents add`: a JSON manifest (hash → document,
    each hash checked) or, otherwise, the whole file as one document."""
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            manifest = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            manifest = None
        if isinstance(manifest, dict):
            documents: dict[str, str] = {}
            for digest, document in manifest.items():
                if not isinstance(document, str) or sha256_hex(document) != digest:
                    raise ValueError(f"el hash {digest} no corresponde a su documento")
                documents[digest] = document
            return documents
    return {sha256_hex(text): text}
