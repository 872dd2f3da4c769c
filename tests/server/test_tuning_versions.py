"""The server refuses to start on a library version its performance work was not checked
against, and constraints.txt pins exactly the checked versions."""

from pathlib import Path

import pytest

from server.tuning.versions import (
    CHECKED_VERSIONS,
    UncheckedLibraryVersion,
    require_checked_versions,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_installed_versions_are_the_checked_ones() -> None:
    require_checked_versions()


def test_an_unchecked_version_refuses_to_start_and_names_it() -> None:
    def installed(name: str) -> str:
        return "0.342.0" if name == "strawberry-graphql" else CHECKED_VERSIONS[name]

    with pytest.raises(
        UncheckedLibraryVersion, match=r"strawberry-graphql 0\.342\.0 \(checked: 0\.341\.2\)"
    ):
        require_checked_versions(installed)


def test_constraints_pin_the_checked_versions() -> None:
    pins = dict(
        line.split("==", 1)
        for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert {name: pins.get(name) for name in CHECKED_VERSIONS} == dict(CHECKED_VERSIONS)
