"""Persisted queries: Apollo's automatic persisted queries (APQ) and trusted documents.

PERSISTED_QUERIES=apq (default): a client may send `extensions.persistedQuery.sha256Hash`
without the query; the server answers PERSISTED_QUERY_NOT_FOUND until it has seen the query
once with that hash (Apollo's PersistedQueryLink then resends it whole). Queries are kept in a
bounded, least-recently-used memory of PERSISTED_QUERIES_CACHE_SIZE entries per process, shared by
every worker through Redis when REDIS_URL is set (server/apq_memory.py). With a
hash, queries may travel by GET, which a CDN can cache. A registered document may also be asked
for by its id, as below.

PERSISTED_QUERIES=only: the server runs only documents registered with `certs documents add`
(a .graphql file, or a JSON manifest of id → document as graphql-codegen's client preset and
relay-compiler write), by id or by their exact text: the production setting for known front
ends. GraphiQL's arbitrary queries are refused there too.

PERSISTED_QUERIES=off: the extension and document ids are refused with
PERSISTED_QUERY_NOT_SUPPORTED.

A document's id travels as the GraphQL-over-HTTP persisted documents appendix says: `documentId`
in the JSON body or the GET parameters (graphql-codegen's client preset); Relay's network layer
sends it as `doc_id`, older ones as `id`. The id is `sha256:<hex>` (the appendix's prefixed id),
a bare hex digest (SHA-256, SHA-1 as codegen may write, MD5 as relay-compiler writes), or a
custom id a manifest gave. A manifest's id that is recognisably a hash must be the hash of its
document, or the manifest is refused: a manifest cannot pass an arbitrary hash off for a document.
A custom id (no hash: `x-app:home`, `HomeQuery`) cannot be checked: it is registered as given
and `certs documents add` lists it under `custom_ids`, so that whoever registers it sees it.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import orjson
from graphql import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.types.execution import ExecutionResult
from tortoise.transactions import in_transaction

from models.persisted import PersistedDocument, PersistedDocumentId
from server.apq_memory import ApqMemory, LocalMemory

MODES = ("off", "apq", "only")
_SHA256 = re.compile(r"[0-9a-f]{64}")
#: The request's fields that may carry a document's id, in the order they are looked for.
DOCUMENT_ID_FIELDS = ("documentId", "doc_id", "id")
MAX_DOCUMENT_ID_CHARS = 200
#: The appendix's syntax: a custom id, `sha256:<hex>`, or an application's own `x-…:…` prefix.
_CUSTOM_ID = re.compile(r"[A-Za-z0-9._~-]+")
_PREFIXED_ID = re.compile(r"sha256:[0-9a-f]{64}|x-[A-Za-z0-9._~-]+:[A-Za-z0-9._~-]+")
#: A bare hex digest's algorithm, by its length.
_HEX_ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256"}
_HEX = re.compile(r"[0-9a-fA-F]+")


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def is_document_id(document_id: str) -> bool:
    """Whether `document_id` has the appendix's syntax (and a sane length)."""
    return len(document_id) <= MAX_DOCUMENT_ID_CHARS and bool(
        _CUSTOM_ID.fullmatch(document_id) or _PREFIXED_ID.fullmatch(document_id)
    )


def named_hash(document_id: str) -> tuple[str, str] | None:
    """(algorithm, lowercase hex) when the id is recognisably a hash of its document:
    `sha256:<hex>`, or a bare MD5, SHA-1 or SHA-256 hex digest. None for a custom id."""
    if document_id.startswith("sha256:"):
        return "sha256", document_id.removeprefix("sha256:")
    algorithm = _HEX_ALGORITHMS.get(len(document_id))
    if algorithm is not None and _HEX.fullmatch(document_id):
        return algorithm, document_id.lower()
    return None


def id_matches(document_id: str, document: str) -> bool:
    """False only when the id names a hash that is not the document's."""
    named = named_hash(document_id)
    if named is None:
        return True
    algorithm, digest = named
    return hashlib.new(algorithm, document.encode(), usedforsecurity=False).hexdigest() == digest


@dataclass
class PersistedRequest(GraphQLRequestData):
    """A request as Strawberry reads it, plus the id of the persisted document it asks for."""

    document_id: str | None = None


#: With a `query`, a plain `id` is not taken for a document's id (older Relay network layers send
#: both; the text decides).
DOCUMENT_ID_FIELDS_WITH_QUERY = ("documentId", "doc_id")


def document_id_in(params: object, *, with_query: bool = False) -> str | None:
    """The id a request's body or GET parameters carry, if any (its syntax not checked yet)."""
    if not isinstance(params, Mapping):
        return None
    names = DOCUMENT_ID_FIELDS_WITH_QUERY if with_query else DOCUMENT_ID_FIELDS
    return next((params[name] for name in names if isinstance(params.get(name), str)), None)


def with_document_id(data: GraphQLRequestData, document_id: str | None) -> GraphQLRequestData:
    """The request as Strawberry read it, carrying the document's id when it named one."""
    if document_id is None:
        return data
    return PersistedRequest(**_request_fields(data), document_id=document_id)


def _request_fields(data: GraphQLRequestData) -> dict[str, Any]:
    """What Strawberry reads of a request, without the document's id."""
    return {f.name: getattr(data, f.name) for f in fields(GraphQLRequestData)}


def refusal(code: str, message: str) -> ExecutionResult:
    """A request error (no `data`): 200 under application/json, 400 under graphql-response+json."""
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


NOT_FOUND = (
    "PERSISTED_QUERY_NOT_FOUND",
    "La operación persistida no se conoce todavía: envíala completa con su hash.",
)
NOT_ALLOWED = ("PERSISTED_QUERY_NOT_ALLOWED", "Este servidor solo ejecuta operaciones registradas.")
NOT_SUPPORTED = (
    "PERSISTED_QUERY_NOT_SUPPORTED",
    "Este servidor no admite consultas persistidas: envía la consulta completa.",
)


class PersistedQueries:
    def __init__(
        self, mode: str = "apq", cache_size: int = 1000, memory: ApqMemory | None = None
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"PERSISTED_QUERIES must be one of {', '.join(MODES)}")
        self.mode = mode
        #: The APQ queries seen: this process's own, or shared through Redis (server/apq_memory.py).
        self.memory = memory or LocalMemory(cache_size)
        #: Registered documents already read from the database (they never change).
        self._trusted: dict[str, str] = {}

    async def resolve(self, data: GraphQLRequestData) -> GraphQLRequestData | ExecutionResult:
        """The request with its query, or the refusal to answer instead of running it."""
        extension: Any = (data.extensions or {}).get("persistedQuery")
        document_id = data.document_id if isinstance(data, PersistedRequest) else None
        if extension is None and document_id is not None:
            return await self._by_id(data, document_id)
        if extension is None:
            if (
                self.mode == "only"
                and data.query is not None
                and await self._registered(sha256_hex(data.query)) is None
            ):
                return refusal(*NOT_ALLOWED)
            return data
        if self.mode == "off":
            return refusal(*NOT_SUPPORTED)
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
                return refusal(*NOT_ALLOWED)
            return _with_query(data, registered)
        if data.query is not None:
            await self.memory.put(digest, data.query)
            return data
        known = await self.memory.get(digest)
        if known is None:
            return refusal(*NOT_FOUND)
        return _with_query(data, known)

    async def _by_id(
        self, data: GraphQLRequestData, document_id: str
    ) -> GraphQLRequestData | ExecutionResult:
        """A request naming its document by id (`documentId`, `doc_id`, `id`)."""
        if self.mode == "off":
            return refusal(*NOT_SUPPORTED)
        if not is_document_id(document_id):
            return refusal(
                "BAD_REQUEST",
                "`documentId` no es un identificador de documento válido: usa sha256:<hex>, "
                "un hash hexadecimal o el id que le dio el manifiesto.",
            )
        if data.query is not None:
            # The document with its id: the id is checked, then the text decides as usual.
            if not id_matches(document_id, data.query):
                return refusal(
                    "PERSISTED_QUERY_HASH_MISMATCH", "El documentId no corresponde a la consulta."
                )
            if self.mode == "apq":  # the appendix's way to persist it: remembered by its sha256
                await self.memory.put(sha256_hex(data.query), data.query)
            return await self.resolve(GraphQLRequestData(**_request_fields(data)))
        named = named_hash(document_id)
        digest = named[1] if named is not None and named[0] == "sha256" else None
        body = await (self._registered(digest) if digest else self._registered_alias(document_id))
        if body is None and self.mode == "apq" and digest is not None:
            body = await self.memory.get(digest)
        if body is not None:
            return _with_query(data, body)
        return refusal(*(NOT_ALLOWED if self.mode == "only" else NOT_FOUND))

    async def _registered(self, digest: str) -> str | None:
        known = self._trusted.get(digest)
        if known is None:
            row = await PersistedDocument.get_or_none(sha256=digest)
            if row is not None:
                known = self._trusted[digest] = row.body
        return known

    async def _registered_alias(self, document_id: str) -> str | None:
        """A registered document by another id its manifest gave it (MD5, SHA-1, custom)."""
        known = self._trusted.get(document_id)
        if known is None:
            row = await PersistedDocumentId.get_or_none(alias=document_id).select_related(
                "document"
            )
            if row is not None:
                known = self._trusted[document_id] = row.document.body
        return known


def _with_query(data: GraphQLRequestData, query: str) -> GraphQLRequestData:
    return replace(data, query=query)


@dataclass
class Registered:
    """A document to register, and the ids other than its sha256 its manifest gave it."""

    body: str
    ids: set[str] = field(default_factory=set)

    @property
    def sha256(self) -> str:
        return sha256_hex(self.body)

    @property
    def custom_ids(self) -> set[str]:
        """The ids that are not a hash, so could not be checked against the document."""
        return {i for i in self.ids if named_hash(i) is None}


def documents_in(text: str) -> list[Registered]:
    """The documents of a file given to `certs documents add`: a JSON manifest (id → document,
    as graphql-codegen's client preset and relay-compiler write) or, otherwise, the whole file
    as one document. An id that is recognisably a hash (`sha256:<hex>`, or a bare MD5, SHA-1 or
    SHA-256 digest) must be its document's; a custom id is kept as given."""
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            manifest = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            manifest = None
        if isinstance(manifest, dict):
            documents: dict[str, Registered] = {}
            for document_id, document in manifest.items():
                if not isinstance(document, str):
                    raise ValueError(f"el id {document_id} no tiene un documento de texto")
                if not is_document_id(document_id):
                    raise ValueError(f"{document_id!r} no es un id de documento válido")
                named = named_hash(document_id)
                if not id_matches(document_id, document):
                    algorithm = named[0] if named else ""
                    raise ValueError(
                        f"el id {document_id} no corresponde a su documento: no es su "
                        f"{algorithm} (un id que parece un hash debe serlo)"
                    )
                entry = documents.setdefault(sha256_hex(document), Registered(document))
                if named is None or named[0] != "sha256":
                    entry.ids.add(document_id)
            return list(documents.values())
    return [Registered(text)]


async def register(documents: list[Registered]) -> int:
    """Stores the documents and their other ids in one transaction; how many were new. An id that
    already names another document (or two of the given ones) is refused with ValueError, before
    anything is written."""
    named: dict[str, str] = {}
    for entry in documents:
        for alias in entry.ids:
            if named.setdefault(alias, entry.sha256) != entry.sha256:
                raise ValueError(f"el id {alias} nombra dos documentos distintos")
    taken = await PersistedDocumentId.filter(alias__in=list(named)).select_related("document")
    for row in taken:
        if row.document.sha256 != named[row.alias]:
            raise ValueError(f"el id {row.alias} ya nombra otro documento")
    added = 0
    async with in_transaction():
        for entry in documents:
            document, created = await PersistedDocument.get_or_create(
                sha256=entry.sha256, defaults={"body": entry.body}
            )
            added += created
            for alias in entry.ids:
                await PersistedDocumentId.get_or_create(alias=alias, document=document)
    return added
