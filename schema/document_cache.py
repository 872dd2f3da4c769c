"""Parsed and validated documents kept by their query text, bounded by entries and by bytes.

Strawberry's `ParserCache` and `ValidationCache` are `functools.lru_cache`s bounded by entries
only: 256 texts of 2 MB each would keep half a gigabyte of text and its syntax trees. These
caches count the text's bytes too (the syntax tree grows with the text), and never take a text
longer than the query limit, which is refused before it is parsed (`DocumentLimits`).
"""

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.core.errors import reworded

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """Least recently used first out, past `max_entries` entries or `max_bytes` of keys' text."""

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Empty, as just built (its hit count too)."""
        self._entries.clear()
        self.bytes = 0
        self.hits = 0

    def get_or_compute(self, key: Hashable, size: int, compute: Callable[[], V]) -> V:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]
        value = compute()
        if size > self.max_bytes:
            return value
        self._entries[key] = (value, size)
        self.bytes += size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped
        return value


#: graphql-core's suggestions ("Did you mean 'x'?") name fields and types; without introspection
#: they would let a stranger read the schema one guess at a time.
SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


def without_suggestions(error: GraphQLError) -> GraphQLError:
    message = SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return reworded(error, message)


class CachedParseAndValidate(SchemaExtension):
    """Parses and validates through two `BoundedCache`s shared by every request of a schema.

    List it after `DocumentLimits`, which refuses long texts and sets the parse options and rules
    the caches key on.
    """

    def __init__(
        self,
        *,
        parsed: BoundedCache[DocumentNode],
        validated: BoundedCache[list[GraphQLError]],
        suggestions: bool,
    ) -> None:
        self.parsed = parsed
        self.validated = validated
        self.suggestions = suggestions

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query or ""
        options = context.parse_options
        context.graphql_document = self.parsed.get_or_compute(
            (query, tuple(sorted(options.items()))),
            len(query.encode()),
            lambda: parse(query, **options),
        )
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query or ""
        document = context.graphql_document
        assert document is not None
        rules = context.validation_rules

        def validate() -> list[GraphQLError]:
            errors = validate_document(context.schema._schema, document, rules)
            return errors if self.suggestions else [without_suggestions(e) for e in errors]

        # Keyed by the text, not the document: a document is hashed by walking it whole.
        context.pre_execution_errors = self.validated.get_or_compute(
            (query, rules), len(query.encode()), validate
        )
        yield
