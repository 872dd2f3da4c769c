"""The rules of docs/architecture.md that import-linter does not check (it runs in `make lint`)."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = [
    "domain",
    "models",
    "storage",
    "notifications",
    "events",
    "tuning",
    "services",
    "resolvers",
    "schema",
    "server",
]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def local_imports(tree: ast.AST) -> list[int]:
    """Lines of imports inside a function body, outside `if TYPE_CHECKING:`."""
    found: list[int] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            return
        if in_function and isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node.lineno)
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, False)
    return found


def test_local_imports_are_found():
    source = "def f():\n    import os\n\nif TYPE_CHECKING:\n    import sys\n"
    assert local_imports(ast.parse(source)) == [2]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_function_local_imports(package):
    """A function-local import hides a dependency (often a cycle) from readers and tools."""
    offenders = [
        f"{path.relative_to(REPO)}:{line}"
        for path in sorted((REPO / package).rglob("*.py"))
        if "migrations" not in path.parts
        for line in local_imports(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []
