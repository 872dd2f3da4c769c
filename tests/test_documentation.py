"""The documentation tells the truth about the code: every `certs` command and every setting is
documented (and nothing else is), the README stays short, the role is ADMIN, and the package data
pyproject.toml declares exists."""

import re
import tomllib
from pathlib import Path

from server.cli import build_parser
from tests.support.cli import command_parsers

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
OPERATIONS = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
DOCS = [README, *(p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md")))]


def settings_read_by_the_code() -> set[str]:
    """The environment names Settings.from_env reads, from server/settings.py itself."""
    source = (REPO / "server" / "settings.py").read_text(encoding="utf-8")
    return set(
        re.findall(
            r'(?:values\.get\(|values\[|flag\(|_positive_seconds\()\s*"([A-Z][A-Z0-9_]+)"', source
        )
    )


def settings_documented() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", OPERATIONS, re.MULTILINE))


def test_every_certs_command_is_documented() -> None:
    lines = list(command_parsers(build_parser()))
    assert len(lines) >= 10
    missing = [line for line in lines if not re.search(re.escape(line) + r"\b", OPERATIONS)]
    assert missing == []


def test_every_setting_is_in_the_settings_table_and_only_settings_are() -> None:
    read = settings_read_by_the_code()
    assert {"DATABASE_URL", "LOG_FORMAT", "PERSISTED_QUERIES"} <= read
    documented = settings_documented()
    assert sorted(read - documented) == [], "undocumented settings"
    assert sorted(documented - read) == [], "documented settings the code does not read"


def test_the_readme_is_short_and_links_every_document() -> None:
    assert len(README.splitlines()) <= 150
    for document in (REPO / "docs").glob("*.md"):
        assert f"docs/{document.name}" in README


def test_the_role_is_called_admin() -> None:
    for text in DOCS:
        assert not re.search(r"\boperators?\b", text, re.IGNORECASE)


def test_declared_package_data_exists() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    for package, patterns in package_data.items():
        for pattern in patterns:
            assert list((REPO / package).glob(pattern)), f"{package}/{pattern} matches nothing"
