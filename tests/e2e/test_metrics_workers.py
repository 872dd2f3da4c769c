"""With `--workers N`, /metrics adds up every worker's numbers (prometheus-client's multiprocess
mode): whichever worker answers a scrape, it counts every request the server answered."""

import os
import re
import stat
from pathlib import Path

import httpx
import pytest

from devkit.database import MigratedSqlite
from tests.support.server import RunningServer, running_server, server_env
from tests.support.waiting import wait_until_sync

pytestmark = pytest.mark.e2e

REQUESTS = 24
SCRAPES = 6


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    match = re.search(r"^" + pattern + "$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def scrape(server: RunningServer) -> str:
    # A new connection each time: the kernel hands it to any of the workers.
    response = httpx.get(f"{server.base_url}/metrics", timeout=10)
    assert response.status_code == 200
    return response.text


def send_pings(server: RunningServer) -> None:
    for _ in range(REQUESTS):
        response = httpx.post(  # a new connection each time, as for the scrapes
            f"{server.base_url}/graphql", json={"query": "query Ping { __typename }"}, timeout=10
        )
        assert response.json() == {"data": {"__typename": "Query"}}


def pings_counted(text: str) -> float:
    return sample(
        text,
        "graphql_operation_duration_seconds_count",
        operation_name="Ping",
        operation_type="query",
    )


def assert_every_scrape_counts_every_request(server: RunningServer) -> None:
    # The requests are answered before their metrics are written: allow the last ones a moment.
    wait_until_sync(
        lambda: pings_counted(scrape(server)) == REQUESTS,
        within=20,
        what=f"/metrics to count {REQUESTS} requests",
    )
    for _ in range(SCRAPES):
        text = scrape(server)
        assert pings_counted(text) == REQUESTS
        assert sample(text, "graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 0
        # The outbox is read from the database once per scrape, not once per worker.
        assert text.count("\noutbox_pending_emails ") == 1
        assert sample(text, "outbox_pending_emails") == 0
        assert sample(text, "graphql_websocket_connections") == 0
        assert "# TYPE live_events_read_total counter" in text


def test_two_workers_answer_metrics_for_both(
    tmp_path: Path, sqlite_template: MigratedSqlite
) -> None:
    env = server_env(tmp_path / "var", sqlite_template.fresh_copy(tmp_path))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    temporary = tmp_path / "tmp"  # where the serve command makes its private folder
    temporary.mkdir()
    env["TMPDIR"] = str(temporary)
    with running_server(env, workers=2) as server:
        send_pings(server)
        assert_every_scrape_counts_every_request(server)
        [folder] = temporary.glob("certs-metrics-*")
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        # A file of counters per process that wrote to it: at least the two workers.
        assert len(list(folder.glob("counter_*.db"))) >= 2
    assert list(temporary.iterdir()) == []  # removed when the server stopped


def test_a_given_folder_is_private_and_emptied_of_an_earlier_run(
    tmp_path: Path, sqlite_template: MigratedSqlite
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir(mode=0o700)
    env = server_env(tmp_path / "var", sqlite_template.fresh_copy(tmp_path))
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    # An earlier run (one worker: the folder given turns the mode on all the same) leaves its
    # files behind, as a crash would: counts of pings the next server never answered.
    with running_server(env, workers=1) as earlier:
        send_pings(earlier)
        assert_every_scrape_counts_every_request(earlier)
    assert any(folder.glob("counter_*.db")) or any(folder.glob("histogram_*.db"))

    with running_server(env, workers=2) as server:
        assert pings_counted(scrape(server)) == 0
        send_pings(server)
        assert_every_scrape_counts_every_request(server)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
