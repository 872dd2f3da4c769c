"""Every Date and DateTime argument of the schema, fed malformed, naive, far-past and far-future
values: each is read (a value without an offset in America/Bogota) or refused with a clear
error; none produces INTERNAL_SERVER_ERROR («Error inesperado»).

The arguments are enumerated from the schema itself, through input objects and lists, so an
argument added later is covered without touching this test.
"""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from schema.root import schema
from tests.support.factories import Caller
from tests.support.files import pdf
from tests.support.flows import approve, reject, submit
from tests.support.graphql import GraphQLClient

TODAY = date(2026, 11, 24)
DATE_SCALARS = {"Date", "DateTime"}
VALUES: list[object] = [
    "no es una fecha",
    "",
    "2026-13-45",
    "2026-02-30T10:00:00-05:00",
    "2026-11-24T25:61:00",
    "2026-11-24T10:00:00",  # naive: read in Bogotá
    "2026-11-24",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01",
    "1899-12-31",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31",
    "2200-12-31T23:59:59-05:00",
    20261124,
    None,
]

Path = tuple[str, ...]


def date_paths(type_: GraphQLInputType, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """(path, scalar name) of every Date/DateTime leaf reachable from an input type."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType) and named.name in DATE_SCALARS:
        yield path, named.name
    elif isinstance(named, GraphQLInputObjectType):
        for name, field in named.fields.items():
            inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            step = (name, "0") if isinstance(inner, GraphQLList) else (name,)
            yield from date_paths(field.type, path + step)


def arguments() -> list[tuple[str, str, str, Path, str]]:
    """(operation, field, argument, path inside the argument, scalar) for every date input."""
    graphql_schema = schema._schema
    found = []
    for operation, root in (
        ("query", graphql_schema.query_type),
        ("mutation", graphql_schema.mutation_type),
    ):
        assert root is not None
        for field_name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                for path, scalar in date_paths(arg.type):
                    found.append((operation, field_name, arg_name, path, scalar))
    return found


ARGUMENTS = arguments()


def test_the_enumeration_finds_the_date_arguments_of_the_contract() -> None:
    names = {(f, a, ".".join(p)) for _, f, a, p, _ in ARGUMENTS}
    assert {
        ("approveCertificateRequest", "input", "validFrom"),
        ("approveCertificateRequest", "input", "validUntil"),
        ("submitCertificateRequest", "input", "validityStartsOn"),
        ("submitCertificateRequest", "input", "documents.0.issuedOn"),
        ("resubmitCertificateRequest", "input", "validityStartsOn"),
        ("resubmitCertificateRequest", "input", "documents.0.issuedOn"),
    } <= names


def type_text(type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return f"{type_text(type_.of_type)}!"
    if isinstance(type_, GraphQLList):
        return f"[{type_text(type_.of_type)}]"
    return get_named_type(type_).name


class Filler:
    """A value for an input type: the required parts filled with plausible values (the ids of
    real rows), the target path holding the date under test, uploads collected as files."""

    def __init__(self, ids: dict[str, str], target: Path, value: object) -> None:
        self.ids, self.target, self.value = ids, target, value
        self.files: dict[str, tuple[str, bytes, str]] = {}

    def fill(self, type_: GraphQLInputType, path: Path, name: str, variable_path: str) -> Any:
        if path == self.target:
            return self.value
        required = isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        on_the_way = self.target[: len(path)] == path
        if not required and not on_the_way:
            return None
        if isinstance(inner, GraphQLList):
            if not on_the_way:
                return []
            return [self.fill(inner.of_type, (*path, "0"), name, f"{variable_path}.0")]
        named = get_named_type(inner)
        if isinstance(named, GraphQLInputObjectType):
            value = {}
            for field_name, field in named.fields.items():
                filled = self.fill(
                    field.type, (*path, field_name), field_name, f"{variable_path}.{field_name}"
                )
                if filled is not None or isinstance(field.type, GraphQLNonNull):
                    value[field_name] = filled
            if named.name == "DocumentUpload":
                value["kind"] = "CHAMBER_OF_COMMERCE_CERTIFICATE"
            return value
        if isinstance(named, GraphQLEnumType):
            return next(iter(named.values))
        if named.name == "Upload":
            self.files[variable_path] = ("camara.pdf", pdf("camara"), "application/pdf")
            return None
        if named.name == "ID":
            return self.ids.get(name, self.ids["requestId"])
        if named.name == "Int":
            return 1
        if named.name == "Boolean":
            return False
        if named.name in DATE_SCALARS:
            return "2026-11-24T10:00:00-05:00" if named.name == "DateTime" else TODAY.isoformat()
        return "Texto de prueba"


async def send(
    http: httpx.AsyncClient,
    token: str,
    query: str,
    variables: dict[str, Any],
    files: dict[str, Any],
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if not files:
        return await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    names = {str(i): path for i, path in enumerate(files)}
    data = {
        "operations": json.dumps({"query": query, "variables": variables}),
        "map": json.dumps({key: [f"variables.{path}"] for key, path in names.items()}),
    }
    multipart = {key: files[path] for key, path in names.items()}
    return await http.post("/graphql", data=data, files=multipart, headers=headers)


@pytest.mark.parametrize(
    ("operation", "field_name", "arg_name", "path", "scalar"),
    ARGUMENTS,
    ids=[f"{f}.{a}.{'.'.join(p)}" for _, f, a, p, _ in ARGUMENTS],
)
async def test_no_date_value_is_an_unexpected_error(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    customer: Caller,
    reviewer: Caller,
    operation: str,
    field_name: str,
    arg_name: str,
    path: Path,
    scalar: str,
) -> None:
    # Rows for the ids to point at: a request in review and one rejected.
    first = await submit(gql, customer.token, issued_on=TODAY - timedelta(days=5))
    rejected = await reject(gql, reviewer.token, first["request"]["id"], "RUT viejo.", {})
    ids = {
        "requestId": rejected["request"]["id"],
        "documentId": first["request"]["documents"][0]["id"],
    }
    root = schema._schema.mutation_type if operation == "mutation" else schema._schema.query_type
    assert root is not None
    field = root.fields[field_name]
    arg_type = field.args[arg_name].type
    selection = (
        "{ __typename }" if not isinstance(get_named_type(field.type), GraphQLScalarType) else ""
    )
    query = (
        f"{operation}($value: {type_text(arg_type)}) "
        f"{{ {field_name}({arg_name}: $value) {selection} }}"
    )
    for value in VALUES:
        filler = Filler(ids, path, value)
        variables = {"value": filler.fill(arg_type, (), arg_name, "value")}
        for token in (customer.token, reviewer.token):
            response = await send(http, token, query, variables, filler.files)
            assert response.status_code < 500, (value, response.text)
            errors = response.json().get("errors") or []
            for error in errors:
                code = (error.get("extensions") or {}).get("code")
                assert code != "INTERNAL_SERVER_ERROR", (value, error)
                assert "inesperado" not in error["message"], (value, error)


async def test_a_naive_instant_is_read_in_bogota_and_shown_in_utc(
    gql: GraphQLClient, customer: Caller, reviewer: Caller
) -> None:
    submitted = await submit(gql, customer.token, issued_on=TODAY - timedelta(days=5))
    approved = await approve(
        gql,
        reviewer.token,
        submitted["request"]["id"],
        "SN-INGENUA",
        "2026-11-25T00:00:00",
        "2027-11-25T00:00:00",
    )
    assert approved["errors"] == []
    assert datetime.fromisoformat(approved["certificate"]["validFrom"]) == datetime(
        2026, 11, 25, 5, tzinfo=UTC
    )


async def test_a_date_out_of_range_is_refused_with_a_clear_spanish_error(
    gql: GraphQLClient, customer: Caller, reviewer: Caller
) -> None:
    submitted = await submit(gql, customer.token, issued_on=TODAY - timedelta(days=5))
    body = await gql.execute(
        "mutation($input: ApproveCertificateRequestInput!) "
        "{ approveCertificateRequest(input: $input) { errors { code } } }",
        {
            "input": {
                "requestId": submitted["request"]["id"],
                "serialNumber": "SN-LEJOS",
                "validFrom": "9999-12-31T23:59:59+00:00",
                "validUntil": "2027-11-25T00:00:00-05:00",
            }
        },
        token=reviewer.token,
    )
    [error] = body["errors"]
    # The variable and the field named in Spanish, then the scalar's own sentence.
    assert error["message"] == (
        "El valor de la variable $input no es válido en validFrom: "
        "La fecha «9999-12-31T23:59:59+00:00» está fuera del rango admitido (años 1900 a 2200)."
    )
    assert error["extensions"] == {
        "code": "INVALID_INPUT",
        "variable": "input",
        "field": "validFrom",
    }
