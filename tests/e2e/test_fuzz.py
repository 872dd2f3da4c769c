"""Fuzzing a real `certs serve` process with schemathesis, over loopback, on SQLite and PostgreSQL.

Schemathesis generates GraphQL documents for every query and mutation of `schema.graphql`
(valid ones and, in its negative mode, ones that break the schema's types), and each is sent as
the anonymous caller and with each demo role's token. The server is first given some real rows
(a request rejected, sent again and in review, with its documents; a second company with an
issued certificate) and the generator draws `ID` arguments from their global ids as well as from
garbage, so the resolvers behind the id decoding are reached too, and some mutations really
change those rows.

What must hold for every response:

- no 5xx status;
- no GraphQL error with `extensions.code` INTERNAL_SERVER_ERROR (the server masks a bug as
  "Error inesperado. Código de seguimiento: …": every such error is a bug a client can trigger);
- nothing that looks like internals: a traceback, a driver's name, a file path.

Findings are collected, not stopped at: the test fails once, at the end, listing each distinct
finding with the document that triggered it, the response, and the server's log lines for its
error id. Generation is derandomized, so a run is reproducible and CI does not flake on a new
random draw (FUZZ_SEED=n draws another one, FUZZ_EXAMPLES widens it); the budget is bounded in
examples only (`MAX_EXAMPLES` documents per operation, each sent as every caller), never in
seconds: how much a run checks must not depend on how loaded the machine is. `make test` runs a
small budget, `make fuzz` (CI) the full one (docs/testing.md).
"""

import asyncio
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import orjson
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Ok
from schemathesis.graphql import nodes

from domain.calendar import local_date
from domain.nit import check_digit
from tests.support.files import pdf
from tests.support.flows import approve, reject, resubmit, submit
from tests.support.graphql import GraphQLClient
from tests.support.server import RunningServer, certs_json
from tests.support.waiting import WaitTimeout, wait_until_sync

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO_ROOT / "schema.graphql"

#: Generated documents per operation (valid ones and ones breaking the schema's types), each sent
#: as every caller. `make test` runs this small budget; `make fuzz` (CI, after `make test`) runs
#: FUZZ_EXAMPLES=30. FUZZ_EXAMPLES and FUZZ_SEED (a new random draw) widen a run by hand.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 4)
#: The operations are split in this many shares, each a test with its own server, so that
#: pytest-xdist can run them side by side.
PARTS = 2
SEED = os.environ.get("FUZZ_SEED")
REQUEST_TIMEOUT_SECONDS = 10.0

#: Text that must never reach a client: internals of the server.
LEAKS = (
    "Traceback",
    'File "',
    "sqlite3",
    "aiosqlite",
    "asyncpg",
    "psycopg",
    "tortoise",
    "site-packages",
    "/work/",
    str(REPO_ROOT),
)
MASKED_CODE = "INTERNAL_SERVER_ERROR"
ERROR_ID = re.compile(r"\b[0-9a-f]{12}\b")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d ")


# --- The server's log, read while the fuzzer runs --------------------------------------------


class LogTail:
    """Drains the server's stderr on a thread (so a chatty log cannot fill the pipe and block the
    server) and keeps the lines, to show the log entry of each masked error next to the finding."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.lines: list[str] = []
        self._stream = stream
        self._thread = threading.Thread(target=self._drain, name="server-log", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        for raw in iter(self._stream.readline, b""):
            self.lines.append(raw.decode(errors="replace").rstrip())

    def entry(self, error_id: str, keep: int = 16) -> list[str]:
        """The log entry naming `error_id`: its first line and the end of its traceback."""
        lines = list(self.lines)
        for index, line in enumerate(lines):
            if error_id in line:
                end = index + 1
                while end < len(lines) and not LOG_LINE.match(lines[end]):
                    end += 1
                body = lines[index + 1 : end]
                if len(body) > keep:
                    body = ["...", *body[-keep:]]
                return [line, *body]
        return []


# --- Real rows for the ids the fuzzer draws --------------------------------------------------


@dataclass
class Seeded:
    tokens: dict[str, str]
    ids: list[str] = field(default_factory=list)


async def seed_rows(server: RunningServer, demo: dict[str, Any]) -> Seeded:
    """The demo company's request, rejected with a flagged document and sent again (in review,
    so the fuzzer's reviewer may decide it); a second company whose request was approved (a
    certificate); every global id that produced, and the users'."""
    tokens: dict[str, str] = demo["tokens"]
    customer, reviewer, admin = tokens["customer"], tokens["reviewer"], tokens["admin"]
    base = "800777666"
    other = certs_json(
        server.env,
        "company",
        "create",
        "--nit",
        f"{base}-{check_digit(base)}",
        "--name",
        "Otra Empresa Fuzz S.A.S.",
        "--person-type",
        "LEGAL_ENTITY",
        "--contact-name",
        "Diego Torres",
        "--contact-email",
        "otra@fuzz.example.co",
    )
    today = local_date(datetime.now(UTC))
    seeded = Seeded(tokens=tokens, ids=[demo["company"]["id"], other["id"]])
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        gql = GraphQLClient(http)
        first = await submit(gql, customer, issued_on=today - timedelta(days=5))
        assert first["errors"] == [], first
        request = first["request"]
        rut = next(doc["id"] for doc in request["documents"] if doc["kind"] == "RUT")
        rejected = await reject(gql, reviewer, request["id"], "RUT vencido.", {rut: "Otro RUT."})
        assert rejected["errors"] == [], rejected
        again = await resubmit(gql, customer, request["id"], {"RUT": pdf("RUT nuevo")})
        assert again["errors"] == [], again
        documents = request["documents"] + again["request"]["documents"]
        seeded.ids += [request["id"], *dict.fromkeys(doc["id"] for doc in documents)]

        second = await submit(
            gql, admin, issued_on=today - timedelta(days=5), companyId=other["id"]
        )
        assert second["errors"] == [], second
        start = datetime.now(UTC) + timedelta(days=1)
        approved = await approve(
            gql,
            reviewer,
            second["request"]["id"],
            "FUZZ-0001",
            start.isoformat(),
            (start + timedelta(days=365)).isoformat(),
        )
        assert approved["errors"] == [], approved
        seeded.ids += [second["request"]["id"], approved["certificate"]["id"]]

        for token in tokens.values():
            viewer = await gql.execute("{ viewer { user { id } } }", token=token)
            seeded.ids.append(viewer["data"]["viewer"]["user"]["id"])
    return seeded


# --- What a response must not contain ---------------------------------------------------------


@dataclass
class Finding:
    """One rule broken by one operation; the first response that broke it, and how often."""

    kind: str
    operation: str
    query: str
    status: int
    response: str
    log: list[str] = field(default_factory=list)
    callers: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        seen = ", ".join(f"{caller} x{count}" for caller, count in self.callers.items())
        lines = [
            f"[{self.kind}] {self.operation} (as {seen}; the first one below)",
            "query:",
            *(f"    {line}" for line in self.query.splitlines()),
            "variables: {}",
            f"status: {self.status}",
            f"response: {self.response[:2000]}",
        ]
        if self.log:
            lines += ["server log:", *(f"    {line}" for line in self.log)]
        return "\n".join(lines)


def strings_in(value: object) -> Iterator[str]:
    """Every string in a decoded JSON value (where escaped quotes and slashes read as sent)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def problems_in(status: int, content: bytes) -> Iterator[tuple[str, str]]:
    """(kind, detail) for each rule the response breaks; detail groups repeats of one bug."""
    if status >= 500:
        yield "5xx", str(status)
    texts = [content.decode(errors="replace")]
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        body = None  # a refusal before GraphQL (a size or rate limit, say) may be plain text
    texts += strings_in(body)
    for leak in LEAKS:
        if any(leak in text for text in texts):
            yield "leak", leak
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors if isinstance(errors, list) else []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        message = str(error.get("message", "")) if isinstance(error, dict) else ""
        if code == MASKED_CODE or message.startswith("Error inesperado"):
            yield "masked-error", ".".join(str(p) for p in error.get("path") or [])


def outcome_of(status: int, content: bytes) -> str:
    """A word for the summary: what the server made of a request."""
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return f"HTTP {status}"
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return f"HTTP {status} data"
    first = errors[0] if isinstance(errors[0], dict) else {}
    code = (first.get("extensions") or {}).get("code")
    return f"HTTP {status} {code or str(first.get('message', ''))[:40]}"


@dataclass
class Fuzzer:
    url: str
    log: LogTail
    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)
    sent: int = 0
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    session: requests.Session = field(default_factory=requests.Session)

    def check(self, caller: str, case: Case[Any], headers: dict[str, str]) -> None:
        response = case.call(
            base_url=self.url,
            session=self.session,
            headers=headers,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        self.sent += 1
        self.outcomes[
            (case.operation.label, outcome_of(response.status_code, response.content))
        ] += 1
        for kind, detail in problems_in(response.status_code, response.content):
            key = (f"{kind}: {detail}", case.operation.label)
            finding = self.findings.get(key)
            if finding is None:
                text = response.content.decode(errors="replace")
                finding = self.findings[key] = Finding(
                    kind=key[0],
                    operation=case.operation.label,
                    query=str(case.body),
                    status=response.status_code,
                    response=text,
                    log=self.log_for(ERROR_ID.findall(text) if kind == "masked-error" else []),
                )
            finding.callers[caller] = finding.callers.get(caller, 0) + 1

    def log_for(self, error_ids: list[str]) -> list[str]:
        if not error_ids:
            return []

        def logged() -> list[str]:
            for error_id in error_ids:
                lines = self.log.entry(error_id)
                if lines:
                    return lines
            return []

        # The log line is written as the response goes out: wait for it, a moment at most.
        try:
            return wait_until_sync(logged, within=5, what="the server's log line for the error")
        except WaitTimeout:
            return []


def register_scalars(ids: list[str]) -> None:
    """Strategies for the scalars schemathesis cannot guess: ids (real ones and garbage), and
    Upload, which a JSON request can only fill with a literal (a real client sends a file)."""
    garbage = st.text(max_size=40)
    schemathesis.graphql.scalar(
        "ID",
        st.one_of(st.sampled_from(ids), garbage).map(nodes.String)
        | st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
    )
    schemathesis.graphql.scalar("Upload", garbage.map(nodes.String))


def run_examples(
    fuzzer: Fuzzer, strategy: st.SearchStrategy[Case[Any]], callers: dict[str, dict[str, str]]
) -> None:
    """Draw `MAX_EXAMPLES` cases from `strategy` and send each as every caller (the document is
    the costly part to make: drawn once, it is checked under each role); no shrinking: the
    findings are collected, and each comes with the exact document that triggered it."""

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case: Case[Any]) -> None:
        for caller, headers in callers.items():
            fuzzer.check(caller, case, headers)

    if SEED is not None:
        fuzz = seed(int(SEED))(fuzz)
    fuzz()


def schema_operations() -> list[Any]:
    """Every query and mutation of `schema.graphql`, in the schema's order."""
    operations = []
    for result in schemathesis.graphql.from_path(SCHEMA_FILE).get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    return operations


@pytest.mark.parametrize("part", range(PARTS), ids=lambda part: f"part{part + 1}of{PARTS}")
def test_fuzzing_the_running_server_finds_no_5xx_and_no_unmasked_error(
    server: RunningServer, demo: dict[str, Any], part: int
) -> None:
    """One of `PARTS` shares of the operations (every `PARTS`-th one), on a server of its own:
    pytest-xdist runs the shares on different workers, and each share sees the same rows on
    every run, whichever ran before it."""
    assert server.process.stderr is not None
    log = LogTail(server.process.stderr)
    seeded = asyncio.run(seed_rows(server, demo))
    register_scalars(seeded.ids)
    tokens: dict[str, str | None] = {"anonymous": None, **seeded.tokens}
    callers = {
        caller: {"Authorization": f"Bearer {token}"} if token else {}
        for caller, token in tokens.items()
    }

    every = schema_operations()
    assert len(every) >= 10, [op.label for op in every]
    operations = every[part::PARTS]
    fuzzer = Fuzzer(
        url=f"{server.base_url}/graphql",
        log=log,
    )
    started = time.monotonic()
    for operation in operations:
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )
        run_examples(fuzzer, strategy, callers)
    elapsed = time.monotonic() - started
    print(
        f"\nfuzzing: {fuzzer.sent} requests, {len(operations)} operations x {len(callers)} callers, "
        f"{elapsed:.1f} s"
    )
    for (label, outcome), count in sorted(fuzzer.outcomes.items()):
        print(f"  {label}: {outcome} x{count}")
    assert fuzzer.sent >= len(operations) * len(callers), "the fuzzer barely sent anything"
    findings = sorted(fuzzer.findings.values(), key=lambda f: (f.operation, f.kind))
    if findings:
        report = "\n\n".join(finding.describe() for finding in findings)
        pytest.fail(f"{len(findings)} finding(s):\n\n{report}", pytrace=False)


def test_the_checks_catch_what_they_must() -> None:
    """The oracle itself, on responses written by hand: each kind of finding, and none for an
    ordinary refusal."""

    def kinds(status: int, body: object) -> list[str]:
        return [kind for kind, _ in problems_in(status, orjson.dumps(body))]

    masked = {
        "message": "Error inesperado. Código de seguimiento: 0123456789ab.",
        "path": ["submitCertificateRequest"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "errorId": "0123456789ab"},
    }
    assert kinds(200, {"data": None, "errors": [masked]}) == ["masked-error"]
    assert kinds(500, {"errors": [{"message": "boom"}]}) == ["5xx"]
    assert kinds(502, {}) == ["5xx"]
    leaked = {"message": 'Traceback (most recent call last):\n  File "/work/x.py"'}
    assert kinds(200, {"errors": [leaked]}) == ["leak", "leak", "leak"]
    assert kinds(200, {"errors": [{"message": "sqlite3.OperationalError: locked"}]}) == ["leak"]
    assert kinds(200, {"errors": [{"message": "asyncpg.exceptions.DataError"}]}) == ["leak"]
    refused = {
        "message": "Cannot query field 'x' on type 'Query'.",
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }
    assert kinds(200, {"data": None, "errors": [refused]}) == []
    assert kinds(200, {"data": {"viewer": None}}) == []
    assert list(problems_in(429, b"Demasiados intentos.")) == []
