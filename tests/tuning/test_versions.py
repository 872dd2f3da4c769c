"""The server refuses to start on a library version its tuning was not checked against, naming
the patches that rely on it, and constraints.txt pins exactly the checked versions."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from server.app import create_app
from server.settings import Settings
from tuning.versions import (
    CHECKED_VERSIONS,
    PATCHES,
    UncheckedLibraryVersion,
    checked_versions,
    require_checked_versions,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_installed_versions_are_the_checked_ones() -> None:
    require_checked_versions()


def test_an_unchecked_version_refuses_to_start_and_names_it_and_its_patches() -> None:
    def installed(name: str) -> str:
        return "0.342.0" if name == "strawberry-graphql" else CHECKED_VERSIONS[name]

    with pytest.raises(
        UncheckedLibraryVersion,
        match=r"strawberry-graphql 0\.342\.0 \(checked: 0\.341\.2, by "
        r"tuning\.shared_event_results, tuning\.document_limits, tuning\.lean_resolvers, "
        r"tuning\.leaf_fields, tuning\.execution_plans, tuning\.acyclic_executor, "
        r"server\.fanout\)",
    ):
        require_checked_versions(installed)


def test_the_app_refuses_to_start_on_an_unchecked_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for patch in ("server.tracing", "tuning.statement_count"):
        monkeypatch.setitem(PATCHES[patch], "tortoise-orm", "0.0.1")
    with pytest.raises(UncheckedLibraryVersion, match=r"tortoise-orm 1\.1\.9 \(checked: 0\.0\.1"):
        create_app(Settings(database_url="sqlite://:memory:", data_dir=tmp_path))


def test_two_patches_checked_against_different_versions_of_a_library_are_refused() -> None:
    with pytest.raises(UncheckedLibraryVersion, match=r"b was checked against uvicorn 0\.55\.0"):
        checked_versions({"a": {"uvicorn": "0.54.0"}, "b": {"uvicorn": "0.55.0"}})


def test_every_patch_of_the_package_names_what_it_was_checked_against() -> None:
    modules = {p.stem for p in (REPO / "tuning").glob("*.py")} - {"__init__", "versions"}
    assert {f"tuning.{m}" for m in modules} <= set(PATCHES)
    assert all(PATCHES.values())


def test_constraints_pin_the_checked_versions() -> None:
    pins = dict(
        line.split("==", 1)
        for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert {name: pins.get(name) for name in CHECKED_VERSIONS} == dict(CHECKED_VERSIONS)


def test_the_declared_ranges_admit_the_checked_versions_and_stop_at_the_next_minor() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        requirement.name: requirement.specifier
        for requirement in map(Requirement, project["dependencies"])
    }
    for name, checked in CHECKED_VERSIONS.items():
        major, minor, *_ = checked.split(".")
        assert checked in declared[name], name
        assert f"{major}.{int(minor) + 1}.0" not in declared[name], name
