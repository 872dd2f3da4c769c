"""Parsed and validated documents are cached by their text, and the limits still hold."""

from pathlib import Path

from schema.document_cache import BoundedCache
from schema.root import (
    DOCUMENT_CACHE_BYTES,
    MAX_QUERY_CHARS_DEFAULT,
    MAX_TOKENS,
    CertsSchema,
    build_schema,
    schema,
)
from server.settings import Settings
from tests.support.app import shared_schema

QUERY = "query Cached { __typename }"


def nested(depth: int) -> str:
    """`node { ... on Company { certificates { company { certificates ... } } } }`, `depth` deep."""
    inner = "id"
    for level in range(depth):
        inner = f"{'company' if level % 2 else 'certificates'} {{ {inner} }}"
    return f'query TooDeep {{ node(id: "x") {{ ... on Company {{ {inner} }} }} }}'


async def test_a_document_sent_again_is_neither_parsed_nor_validated_again() -> None:
    assert isinstance(schema, CertsSchema)
    parses, validations = schema.document_caches
    await schema.execute(QUERY)
    parsed, validated = parses.hits, validations.hits
    for _ in range(3):
        result = await schema.execute(QUERY)
        assert result.errors is None
    # The limits' rules are built once: were they built per request, every request would bring
    # new rule classes, and the validation cache, keyed by them, would never hit.
    assert parses.hits == parsed + 3
    assert validations.hits == validated + 3


async def test_a_query_past_a_limit_is_refused_every_time_not_only_the_first() -> None:
    for _ in range(3):
        result = await schema.execute(nested(20))
        assert result.errors is not None
        assert "exceeds maximum operation depth" in result.errors[0].message


async def test_a_document_with_too_many_tokens_is_refused_before_it_is_parsed() -> None:
    aliases = " ".join(f"a{n}: __typename" for n in range(MAX_TOKENS))
    roomy = build_schema(max_query_chars=len(aliases) + 100)  # past the token limit, not the text's
    for _ in range(2):  # refused again when sent again: a refusal is not cached as a success
        result = await roomy.execute(f"query Long {{ {aliases} }}")
        assert result.errors is not None
        assert f"more than {MAX_TOKENS} tokens" in result.errors[0].message


async def test_introspection_is_refused_only_by_the_production_schema() -> None:
    query = "query Types { __schema { types { name } } }"
    assert (await schema.execute(query)).errors is None
    refused = await build_schema(introspection=False).execute(query)
    assert refused.errors is not None
    assert "introspection" in refused.errors[0].message.lower()


async def test_a_query_text_past_the_limit_is_refused_before_parsing_and_never_cached() -> None:
    fresh = build_schema()
    assert isinstance(fresh, CertsSchema)
    huge = "query Huge { __typename }\n#" + "x" * (2 * 1024 * 1024)
    for _ in range(2):
        result = await fresh.execute(huge)
        assert result.errors is not None
        assert result.errors[0].extensions == {"code": "QUERY_TOO_LARGE"}
        assert result.errors[0].message == (
            f"La consulta es demasiado larga: el máximo es de {MAX_QUERY_CHARS_DEFAULT} caracteres."
        )
    parses, validations = fresh.document_caches
    assert len(parses) == 0
    assert len(validations) == 0


async def test_the_caches_hold_at_most_their_bytes_of_query_text() -> None:
    fresh = build_schema()
    assert isinstance(fresh, CertsSchema)
    padding = "#" + "x" * 15_000 + "\n"
    for n in range(200):  # 200 distinct texts of 15 kB: 3 MB sent, under the entry count
        result = await fresh.execute(f"{padding}query Q{n} {{ __typename }}")
        assert result.errors is None
    for cache in fresh.document_caches:
        assert cache.bytes <= DOCUMENT_CACHE_BYTES
        assert len(cache) < 200


def test_the_bounded_cache_drops_the_least_recently_used_past_entries_or_bytes() -> None:
    cache: BoundedCache[int] = BoundedCache(max_entries=2, max_bytes=10)
    assert cache.get_or_compute("a", 4, lambda: 1) == 1
    assert cache.get_or_compute("b", 4, lambda: 2) == 2
    assert cache.get_or_compute("a", 4, lambda: 99) == 1  # a hit, and now the most recent
    cache.get_or_compute("c", 4, lambda: 3)  # past 2 entries: "b" goes
    assert cache.get_or_compute("b", 4, lambda: 20) == 20
    cache.get_or_compute("big", 11, lambda: 5)  # larger than the whole budget: never kept
    assert cache.get_or_compute("big", 11, lambda: 6) == 6
    assert cache.bytes <= 10
    assert len(cache) <= 2


async def test_without_introspection_validation_errors_suggest_no_names() -> None:
    query = "query Typo { viewr { id } }"
    open_result = await schema.execute(query)
    assert open_result.errors is not None
    assert "Did you mean" in open_result.errors[0].message
    closed = await build_schema(introspection=False).execute(query)
    assert closed.errors is not None
    assert closed.errors[0].message == "Cannot query field 'viewr' on type 'Query'."


async def test_the_suites_shared_schema_starts_each_app_with_empty_caches(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite://:memory:")
    shared = shared_schema(settings)
    await shared.execute(QUERY)
    await shared.execute(QUERY)
    assert [(len(c), c.hits) for c in shared.document_caches] == [(1, 1), (1, 1)]
    # The next test's app serves the same schema, without the documents the last one cached.
    assert shared_schema(settings) is shared
    assert [(len(c), c.bytes, c.hits) for c in shared.document_caches] == [(0, 0, 0), (0, 0, 0)]
    closed = shared_schema(Settings(data_dir=tmp_path, database_url="", introspection=False))
    assert closed is not shared
