"""Helpers and fixtures shared across test folders live in `tests/support/` (docs/testing.md): no
module of the tests or of the bench imports a conftest or a test module. A conftest's fixtures
reach its folder through pytest; a helper imported from one ties two folders' tests together and
hides where the shared code is."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def forbidden_imports(source: str) -> list[str]:
    """The modules `source` imports that are a conftest or a test module of the tests."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "tests" and (parts[-1] == "conftest" or parts[-1].startswith("test_")):
                found.append(module)
                break
    return found


def test_the_scan_finds_each_spelling() -> None:
    source = (
        "from tests.services.conftest import submit\n"
        "from tests.conftest import DEFAULT_NOW\n"
        "from tests.schema.test_hardening import multipart\n"
        "from tests.models import test_reminder_migration\n"
        "import tests.e2e.conftest\n"
        "from tests.support.use_cases import submit\n"
        "from tests.support import flows\n"
    )
    assert forbidden_imports(source) == [
        "tests.services.conftest",
        "tests.conftest",
        "tests.schema.test_hardening",
        "tests.models.test_reminder_migration",
        "tests.e2e.conftest",
    ]


def test_no_module_imports_a_conftest_or_a_test_module() -> None:
    found = [
        f"{path.relative_to(REPO).as_posix()}: {module}"
        for folder in ("tests", "bench")
        for path in sorted((REPO / folder).rglob("*.py"))
        for module in forbidden_imports(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "move what they import to tests/support/ (docs/testing.md)"
