"""The `certs` command as operators and scripts use it: one JSON object on stdout, logs on stderr.

The real program starts for the tests of what the process does (`migrate` and a refusal: its
output and exit status); the other runs, the first migrations and the refusals' messages
included, are in this process (tests/support/cli.py), as `main` with the same arguments and
environment."""

import hashlib
from pathlib import Path

import orjson
import pytest

from tests.support.cli import run_certs, run_certs_json
from tests.support.server import certs, server_env

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return server_env(tmp_path / "var", database_url)


def test_migrate_prints_a_line_per_migration_then_nothing_to_do(tmp_path: Path) -> None:
    env = server_env(tmp_path / "var", f"sqlite://{tmp_path / 'fresh.sqlite3'}")
    migrated = run_certs(env, "migrate")  # the migrations' work, in this process
    first = migrated.stdout.splitlines()
    assert first[0] == "applied models.0001_initial"
    assert all(line.startswith("applied models.") for line in first)
    again = certs(env, "migrate")  # the program itself, on the database the first run made
    assert again.stdout.splitlines() == ["no migrations to apply"]
    # The deployment's id (its Redis channels) is made by the first run and kept by the next.
    deployment = [line for line in migrated.stderr.splitlines() if line.startswith("deployment ")]
    assert len(deployment) == 1
    assert len(deployment[0].split()[1]) == 16
    assert deployment[0] in again.stderr.splitlines()


def test_company_user_and_token_creation_print_json(env: dict[str, str]) -> None:
    company = run_certs_json(
        env,
        "company", "create", "--nit", "900123456-8", "--name", "Ejemplo S.A.S.",
        "--person-type", "LEGAL_ENTITY", "--contact-name", "María Peña",
        "--contact-email", "maria@ejemplo.co",
    )  # fmt: skip
    assert company["nit"] == "900123456-8"
    assert set(company) == {"id", "nit"}

    by_nit = run_certs_json(
        env, "user", "create", "--email", "ana@ejemplo.co", "--name", "Ana",
        "--role", "CUSTOMER", "--company", "900123456-8",
    )  # fmt: skip
    by_id = run_certs_json(
        env, "user", "create", "--email", "luis@ejemplo.co", "--name", "Luis",
        "--role", "CUSTOMER", "--company", company["id"],
    )  # fmt: skip
    assert by_nit["id"] != by_id["id"]

    first = run_certs_json(env, "token", "issue", "--email", "ana@ejemplo.co")["token"]
    second = run_certs_json(
        env, "token", "issue", "--email", "ana@ejemplo.co", "--expires-in-days", "30"
    )["token"]
    assert first != second
    assert len(first) > 40


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["company", "create", "--nit", "900123456-7", "--name", "X",
             "--person-type", "LEGAL_ENTITY", "--contact-name", "A", "--contact-email", "a@b.co"],
            "dígito de verificación",
        ),
        (
            ["company", "create", "--nit", "900123456-8", "--name", "X",
             "--person-type", "LEGAL_ENTITY", "--contact-name", "A", "--contact-email", "no-es-correo"],
            "correo",
        ),
        (["user", "create", "--email", "c@d.co", "--name", "C", "--role", "CUSTOMER"], "empresa"),
        (["token", "issue", "--email", "nadie@ejemplo.co"], "No existe"),
    ],
)  # fmt: skip
def test_refusals_exit_1_with_a_spanish_message_and_nothing_on_stdout(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = run_certs(env, *args, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert message in result.stderr


def test_the_program_exits_with_the_status_of_a_refusal(env: dict[str, str]) -> None:
    """What `main` returns is the process's exit status, its message on stderr only."""
    result = certs(env, "token", "issue", "--email", "nadie@ejemplo.co", check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "No existe" in result.stderr


def test_demo_prints_ids_and_tokens_and_graphiql_headers_and_is_repeatable(
    env: dict[str, str],
) -> None:
    first = run_certs(env, "demo")
    data = orjson.loads(first.stdout)
    assert data["company"]["nit"] == "900123456-8"
    assert set(data["tokens"]) == {"customer", "reviewer", "admin"}
    for token in data["tokens"].values():
        assert f'{{"Authorization":"Bearer {token}"}}' in first.stderr
    assert "GraphiQL: http://127.0.0.1:8000/graphql" in first.stderr
    again_output = run_certs({**env, "PUBLIC_BASE_URL": "http://127.0.0.1:9123"}, "demo")
    assert "GraphiQL: http://127.0.0.1:9123/graphql" in again_output.stderr  # the real address
    again = orjson.loads(again_output.stdout)
    assert again["company"] == data["company"]
    assert again["tokens"]["customer"] != data["tokens"]["customer"]


def test_export_schema_writes_the_committed_sdl(tmp_path: Path, env: dict[str, str]) -> None:
    committed = (REPO / "schema.graphql").read_text(encoding="utf-8")
    assert run_certs(env, "export-schema").stdout == committed
    target = tmp_path / "out.graphql"
    assert run_certs(env, "export-schema", "--output", str(target)).stdout == ""
    assert target.read_text(encoding="utf-8") == committed


def test_revoking_a_users_tokens_reports_how_many(env: dict[str, str]) -> None:
    demo = run_certs_json(env, "demo")
    assert demo["tokens"]["customer"]
    revoked = run_certs_json(env, "token", "revoke", "--email", "cliente@demo.example.co")
    assert revoked == {"revoked": 1}
    assert run_certs_json(env, "token", "revoke", "--email", "cliente@demo.example.co") == {
        "revoked": 0
    }


def test_documents_add_registers_valid_documents_once_and_refuses_bad_ones(
    tmp_path: Path, env: dict[str, str]
) -> None:
    good = tmp_path / "good.graphql"
    good.write_text("query Yo { viewer { user { email } } }")
    first = orjson.loads(run_certs(env, "documents", "add", str(good)).stdout)
    assert (first["added"], first["known"]) == (1, 0)
    assert orjson.loads(run_certs(env, "documents", "add", str(good)).stdout)["known"] == 1

    invalid = tmp_path / "invalid.graphql"
    invalid.write_text("query { viewer { nope } }")
    refused = run_certs(env, "documents", "add", str(invalid), check=False)
    assert refused.returncode == 1
    assert "nope" in refused.stderr

    lying = tmp_path / "manifest.json"
    lying.write_text('{"' + "0" * 64 + '": "{ __typename }"}')
    refused = run_certs(env, "documents", "add", str(lying), check=False)
    assert refused.returncode == 1
    assert "no corresponde" in refused.stderr


def test_documents_add_registers_relay_and_codegen_manifests_under_their_ids(
    tmp_path: Path, env: dict[str, str]
) -> None:
    mine = "query Mine { viewer { user { email } } }"
    other = "query Other { viewer { company { nit } } }"
    sha256 = hashlib.sha256(mine.encode()).hexdigest()
    md5 = hashlib.md5(mine.encode(), usedforsecurity=False).hexdigest()
    sha1 = hashlib.sha1(other.encode(), usedforsecurity=False).hexdigest()
    relay = tmp_path / "persisted_queries.json"  # relay-compiler: md5 → text
    relay.write_text(orjson.dumps({md5: mine}).decode())
    codegen = tmp_path / "persisted-documents.json"  # codegen's client preset, sha1 and a custom id
    codegen.write_text(orjson.dumps({sha1: other, "x-app:mine": mine}).decode())

    added = orjson.loads(run_certs(env, "documents", "add", str(relay), str(codegen)).stdout)
    assert (added["added"], added["known"]) == (2, 0)
    assert added["ids"] == {
        md5: sha256,
        "x-app:mine": sha256,
        sha1: hashlib.sha256(other.encode()).hexdigest(),
    }
    assert added["custom_ids"] == ["x-app:mine"]

    lying = tmp_path / "lying.json"  # an MD5-looking id that is not its document's MD5
    lying.write_text(orjson.dumps({"0" * 32: mine}).decode())
    refused = run_certs(env, "documents", "add", str(lying), check=False)
    assert refused.returncode == 1
    assert "no corresponde a su documento: no es su md5" in refused.stderr

    stolen = tmp_path / "stolen.json"  # a custom id already naming another document
    stolen.write_text(orjson.dumps({"x-app:mine": other}).decode())
    refused = run_certs(env, "documents", "add", str(stolen), check=False)
    assert refused.returncode == 1
    assert "ya nombra otro documento" in refused.stderr


def test_token_use_and_the_audit_trail_are_shown_to_operators(env: dict[str, str]) -> None:
    run_certs_json(
        env, "company", "create", "--nit", "900123456-8", "--name", "Ejemplo S.A.S.",
        "--person-type", "LEGAL_ENTITY", "--contact-name", "María Peña",
        "--contact-email", "maria@ejemplo.co",
    )  # fmt: skip
    run_certs_json(
        env, "user", "create", "--email", "ana@ejemplo.co", "--name", "Ana",
        "--role", "CUSTOMER", "--company", "900123456-8",
    )  # fmt: skip
    run_certs_json(env, "token", "issue", "--email", "ana@ejemplo.co")
    assert run_certs_json(env, "token", "revoke", "--email", "ana@ejemplo.co") == {"revoked": 1}
    (listed,) = run_certs_json(env, "token", "list", "--email", "ana@ejemplo.co")["tokens"]
    assert listed["revokedAt"] is not None
    assert listed["lastUsedAt"] is None  # never used against the API

    lines = run_certs(env, "audit", "export", "--format", "csv").stdout.splitlines()
    assert lines[0].split(",")[:4] == ["id", "at", "action", "actor_name"]
    assert [line.split(",")[2] for line in lines[1:]] == ["TOKEN_ISSUED", "TOKENS_REVOKED"]
    records = [
        orjson.loads(line)
        for line in run_certs(env, "audit", "export", "--format", "jsonl").stdout.splitlines()
    ]
    assert [(r["action"], r["source"], r["details"]["email"]) for r in records] == [
        ("TOKEN_ISSUED", "cli", "ana@ejemplo.co"),
        ("TOKENS_REVOKED", "cli", "ana@ejemplo.co"),
    ]
    future = run_certs(env, "audit", "export", "--format", "jsonl", "--since", "2999-01-01")
    assert future.stdout == ""


def test_deactivating_activating_and_moving_a_user_print_where_they_stand(
    env: dict[str, str],
) -> None:
    demo = run_certs_json(env, "demo")
    email = "cliente@demo.example.co"
    user = {"email": email, "company": demo["company"]["id"]}

    deactivated = run_certs_json(env, "user", "deactivate", "--email", email)
    assert {**user, "active": False, "changed": True}.items() <= deactivated.items()
    assert run_certs_json(env, "user", "deactivate", "--email", email)["changed"] is False
    refused = run_certs(env, "token", "issue", "--email", email, check=False)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert f"No existe un usuario activo con el correo {email}." in refused.stderr
    activated = run_certs_json(env, "user", "activate", "--email", email)
    assert {**user, "active": True, "changed": True}.items() <= activated.items()

    other = run_certs_json(
        env,
        "company", "create", "--nit", "901234567-7", "--name", "Otra S.A.S.",
        "--person-type", "LEGAL_ENTITY", "--contact-name", "Pedro Ruiz",
        "--contact-email", "pedro@otra.co",
    )  # fmt: skip
    by_nit = run_certs_json(env, "user", "move", "--email", email, "--company", "901234567-7")
    assert (by_nit["company"], by_nit["changed"]) == (other["id"], True)
    by_id = run_certs_json(
        env, "user", "move", "--email", email, "--company", demo["company"]["id"]
    )
    assert (by_id["company"], by_id["changed"]) == (demo["company"]["id"], True)
    assert by_id["id"] == deactivated["id"] == activated["id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "deactivate", "--email", "nadie@ejemplo.co"],
         "error: No existe un usuario con el correo nadie@ejemplo.co. (NOT_FOUND)"),
        (["user", "move", "--email", "cliente@demo.example.co", "--company", "901234567-7"],
         "error: No existe la empresa 901234567-7. (NOT_FOUND)"),
        (["user", "move", "--email", "revisor@andes.example.co", "--company", "900123456-8"],
         "error: Un usuario REVIEWER no pertenece a ninguna empresa. (INVALID_INPUT)"),
    ],
)  # fmt: skip
def test_user_changes_that_cannot_be_made_exit_1_with_a_spanish_message(
    env: dict[str, str], args: list[str], message: str
) -> None:
    run_certs_json(env, "demo")
    result = run_certs(env, *args, check=False)
    assert (result.returncode, result.stdout) == (1, "")
    assert message in result.stderr.splitlines()
