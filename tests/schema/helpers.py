"""Small helpers shared by the API tests: raw GraphQL calls (any headers, any status) and the
single error of a response refused as a whole."""

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.support.factories import Caller


def auth(caller: Caller | None) -> dict[str, str]:
    return caller.headers if caller else {}


async def post_graphql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> dict[str, Any]:
    """A GraphQL request with exactly these headers (JSON, or multipart when `files` are given);
    the answer must be HTTP 200 with a JSON body."""
    if files:
        names = {str(i): path for i, path in enumerate(files)}
        data = {
            "operations": json.dumps({"query": query, "variables": variables or {}}),
            "map": json.dumps({key: [f"variables.{path}"] for key, path in names.items()}),
        }
        multipart = {key: files[path] for key, path in names.items()}
        response = await http.post("/graphql", data=data, files=multipart, headers=headers or {})
    else:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    """The single GraphQL error of a response (a query refused as a whole)."""
    errors = body.get("errors") or []
    assert len(errors) == 1, body
    error: dict[str, Any] = errors[0]
    return error


def path_of(url: str) -> str:
    """The path of an absolute URL: the app is served over an in-memory transport."""
    return urlsplit(url).path
