"""DocumentLimits: the document limits set as parsing and validation begin, instead of from an
`on_operation` hook held open for a subscription's whole life.

**Why.** Strawberry's `MaxTokensLimiter` and `AddValidationRules` set the same options from
`on_operation`, which for a subscription stays suspended, with the extension runner's context
manager and exit stack, until the subscription ends.

**Measured alone** (`python -m bench.tuning --variants all,-document_limits`, 1,000 reviewers'
dashboards on one SQLite worker, each variant a real `certs serve`, taking turns for 3 rounds,
medians; 2026-12-01 10:25 UTC, load average 5-7): memory per idle subscriber 31.5 KiB with it,
33.5 KiB with Strawberry's two extensions instead: **2.0 KiB (6.6 %) less**. CPU per event
unchanged (90 ms both).

**Upstream.** No issue exists; the text to file is docs/performance/upstream/
strawberry-document-limits-on-operation.md (related: extensions for subscriptions,
https://github.com/strawberry-graphql/strawberry/pull/3554).

**Version guard.** `CHECKED_AGAINST` below (tuning/versions.py refuses any other version).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence

from graphql import ASTValidationRule
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension

#: What this module relies on: Strawberry's `parse_options` and `validation_rules` on the execution
#: context, read by its parser and validator after the `on_parse` / `on_validate` hooks begin.
CHECKED_AGAINST: Mapping[str, str] = {"strawberry-graphql": "0.341.2"}


class DocumentLimits(SchemaExtension):
    """A cap on a document's tokens and extra validation rules (depth, aliases, cost, no
    introspection), set as parsing and validation begin.

    Strawberry's `MaxTokensLimiter`, `AddValidationRules` and `DisableIntrospection` do the same
    from an `on_operation` hook, which stays suspended, with its context manager and exit stack, for
    as long as a subscription lives (docs/performance.md: memory per idle subscriber). List it
    before `ParserCache` and `ValidationCache`: hooks run in the order of the extensions, and the
    caches key on what this sets.
    """

    def __init__(
        self,
        *,
        max_tokens: int,
        rules: Sequence[type[ASTValidationRule]],
        max_query_chars: int | None = None,
        query_too_large: Callable[[int], GraphQLError],
    ) -> None:
        self.max_tokens = max_tokens
        self.rules = tuple(rules)
        self.max_query_chars = max_query_chars
        #: The refusal of a text past `max_query_chars`, worded by the API (an ErrorCode, Spanish).
        self.query_too_large = query_too_large

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if self.max_query_chars is not None and query and len(query) > self.max_query_chars:
            # Refused before the parser (and its cache) ever sees the text.
            raise self.query_too_large(self.max_query_chars)
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, *self.rules)
        yield
