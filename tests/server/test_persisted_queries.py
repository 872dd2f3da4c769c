"""Persisted documents by id (server/persisted_queries.py): which ids name which hash, what a
manifest may register, and how a request naming a document by id is resolved in each mode."""

import hashlib

import pytest
from strawberry.http import GraphQLRequestData
from strawberry.types.execution import ExecutionResult

from server.persisted_queries import (
    PersistedQueries,
    PersistedRequest,
    documents_in,
    id_matches,
    is_document_id,
    named_hash,
    register,
)

QUERY = "query Mine { viewer { user { email } } }"
SHA256 = hashlib.sha256(QUERY.encode()).hexdigest()
SHA1 = hashlib.sha1(QUERY.encode(), usedforsecurity=False).hexdigest()
MD5 = hashlib.md5(QUERY.encode(), usedforsecurity=False).hexdigest()


def by_id(document_id: str, query: str | None = None) -> PersistedRequest:
    return PersistedRequest(query, None, None, None, document_id=document_id)


def code_of(answer: GraphQLRequestData | ExecutionResult) -> str | None:
    if not isinstance(answer, ExecutionResult):
        return None
    [error] = answer.errors or []
    return str((error.extensions or {})["code"])


@pytest.mark.parametrize(
    ("document_id", "named"),
    [
        (f"sha256:{SHA256}", ("sha256", SHA256)),
        (SHA256, ("sha256", SHA256)),
        (SHA1, ("sha1", SHA1)),
        (MD5, ("md5", MD5)),
        (MD5.upper(), ("md5", MD5)),
        ("HomeQuery", None),
        ("x-app:home", None),
    ],
)
def test_an_id_names_a_hash_only_when_it_looks_like_one(
    document_id: str, named: tuple[str, str] | None
) -> None:
    assert is_document_id(document_id)
    assert named_hash(document_id) == named
    assert id_matches(document_id, QUERY)
    assert id_matches(document_id, QUERY + " ") is (named is None)


@pytest.mark.parametrize(
    "document_id", ["", "md5:" + MD5, "sha256:" + "A" * 64, "with space", "a/b", "x" * 201]
)
def test_ids_outside_the_appendix_syntax_are_not_ids(document_id: str) -> None:
    assert not is_document_id(document_id)


def test_a_relay_manifest_registers_each_document_under_its_md5() -> None:
    other = "query Other { viewer { company { nit } } }"
    md5_other = hashlib.md5(other.encode(), usedforsecurity=False).hexdigest()
    [mine, theirs] = documents_in(f'{{"{MD5}": "{QUERY}", "{md5_other}": "{other}"}}')
    assert (mine.body, mine.sha256, mine.ids) == (QUERY, SHA256, {MD5})
    assert theirs.ids == {md5_other}
    assert mine.custom_ids == set()


@pytest.mark.parametrize("key", [SHA256, f"sha256:{SHA256}"])
def test_a_sha256_manifest_needs_no_other_id(key: str) -> None:
    [entry] = documents_in(f'{{"{key}": "{QUERY}"}}')
    assert (entry.sha256, entry.ids) == (SHA256, set())


def test_a_manifest_id_that_looks_like_a_hash_must_be_its_documents() -> None:
    lying_md5 = hashlib.md5(b"{ __typename }", usedforsecurity=False).hexdigest()
    with pytest.raises(ValueError, match=f"el id {lying_md5} no corresponde a su documento"):
        documents_in(f'{{"{lying_md5}": "{QUERY}"}}')
    with pytest.raises(ValueError, match="no es su sha1"):
        documents_in(f'{{"{"0" * 40}": "{QUERY}"}}')


def test_a_custom_id_is_kept_and_reported_as_such() -> None:
    [entry] = documents_in(f'{{"x-app:mine": "{QUERY}", "{SHA1}": "{QUERY}"}}')
    assert entry.ids == {"x-app:mine", SHA1}
    assert entry.custom_ids == {"x-app:mine"}


async def test_only_mode_serves_a_registered_document_by_any_of_its_ids(db: str) -> None:
    await register(documents_in(f'{{"{MD5}": "{QUERY}", "{SHA1}": "{QUERY}"}}'))
    trusted = PersistedQueries("only")
    for document_id in (MD5, SHA1, SHA256, f"sha256:{SHA256}"):
        resolved = await trusted.resolve(by_id(document_id))
        assert getattr(resolved, "query", None) == QUERY, document_id
    assert code_of(await trusted.resolve(by_id("0" * 32))) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert code_of(await trusted.resolve(by_id("a b"))) == "BAD_REQUEST"
    assert code_of(await trusted.resolve(by_id(MD5, query=QUERY + " "))) == (
        "PERSISTED_QUERY_HASH_MISMATCH"
    )


async def test_an_id_already_naming_another_document_is_refused(db: str) -> None:
    await register(documents_in(f'{{"x-app:mine": "{QUERY}"}}'))
    with pytest.raises(ValueError, match="ya nombra otro documento"):
        await register(documents_in('{"x-app:mine": "{ __typename }"}'))


async def test_apq_mode_serves_registered_and_remembered_documents_by_id(db: str) -> None:
    await register(documents_in(f'{{"{MD5}": "{QUERY}"}}'))
    apq = PersistedQueries("apq")
    assert getattr(await apq.resolve(by_id(MD5)), "query", None) == QUERY
    other = "query Other { __typename }"
    other_id = f"sha256:{hashlib.sha256(other.encode()).hexdigest()}"
    assert code_of(await apq.resolve(by_id(other_id))) == "PERSISTED_QUERY_NOT_FOUND"
    assert getattr(await apq.resolve(by_id(other_id, query=other)), "query", None) == other
    assert getattr(await apq.resolve(by_id(other_id)), "query", None) == other


async def test_off_mode_refuses_ids() -> None:
    off = PersistedQueries("off")
    assert code_of(await off.resolve(by_id(MD5))) == "PERSISTED_QUERY_NOT_SUPPORTED"
