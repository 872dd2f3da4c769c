"""The exported schema is committed, up to date, and honours the public contract."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from schema.root import schema

REPO = Path(__file__).resolve().parents[2]
CHECKER = REPO.parent / "shared" / "tools" / "contract_check.py"
CONTRACT = REPO.parent / "shared" / "design" / "API.graphql"


def load_checker() -> ModuleType:
    if not CHECKER.is_file() or not CONTRACT.is_file():
        pytest.skip(f"the shared contract is not beside the repository ({CHECKER.parent})")
    spec = importlib.util.spec_from_file_location("contract_check", CHECKER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schema_graphql_is_up_to_date() -> None:
    committed = (REPO / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", "run `make schema` and commit schema.graphql"


def test_every_name_of_the_contract_exists_with_its_type() -> None:
    checker = load_checker()
    gaps = checker.gaps(schema.as_str(), CONTRACT.read_text(encoding="utf-8"))
    assert gaps == []
