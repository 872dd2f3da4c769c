"""A small GraphQL client for tests: JSON requests and GraphQL multipart requests (uploads)."""

import json
from typing import Any

import httpx

from tests.support.files import pdf
from tests.support.operations import SUBMIT


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=self._headers(token),
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def upload(
        self,
        query: str,
        variables: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
        token: str | None = None,
    ) -> dict[str, Any]:
        """`files` maps a variable path (e.g. "input.documents.0.file") to (name, bytes, type)."""
        names = {str(i): path for i, path in enumerate(files)}
        data = {
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({key: [f"variables.{path}"] for key, path in names.items()}),
        }
        multipart = {key: files[path] for key, path in names.items()}
        headers = self._headers(token)
        response = await self.http.post("/graphql", data=data, files=multipart, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    @staticmethod
    def _headers(token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    assert not body.get("errors"), body.get("errors")
    data: dict[str, Any] = body["data"]
    return data


def multipart(
    files: int, token: str | None
) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """A raw GraphQL multipart submission of `files` PDFs (data, files, headers for httpx), for
    tests of what the server does before it parses one."""
    documents = [{"kind": "OTHER", "file": None} for _ in range(files)]
    operations = {
        "query": SUBMIT,
        "variables": {
            "input": {
                "documents": documents,
                "legalRepresentative": {"name": "L", "idType": "CC", "idNumber": "1020304050"},
            }
        },
    }
    data = {
        "operations": json.dumps(operations),
        "map": json.dumps({str(i): [f"variables.input.documents.{i}.file"] for i in range(files)}),
    }
    uploads = {str(i): (f"f{i}.pdf", pdf(str(i)), "application/pdf") for i in range(files)}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return data, uploads, headers
