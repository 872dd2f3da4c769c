"""The multiprocess folder of `certs serve`: private, fresh, and dead workers forgotten."""

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.metrics import (
    MULTIPROC_ENV,
    forget_dead_processes,
    prepare_multiprocess_dir,
    remove_multiprocess_dir,
)


@pytest.fixture
def no_folder() -> Iterator[None]:
    """No PROMETHEUS_MULTIPROC_DIR during the test, and none left behind after it: the folder that
    `prepare_multiprocess_dir` sets is removed by the test, and a later server started by this
    process must not inherit a variable naming it (monkeypatch's `delenv` of an absent variable
    records nothing to undo)."""
    before = os.environ.pop(MULTIPROC_ENV, None)
    yield
    os.environ.pop(MULTIPROC_ENV, None)
    if before is not None:
        os.environ[MULTIPROC_ENV] = before


def test_one_worker_keeps_metrics_in_memory(no_folder: None) -> None:
    assert prepare_multiprocess_dir(1) is None
    assert MULTIPROC_ENV not in os.environ


def test_several_workers_get_a_fresh_private_folder_removed_at_the_end(no_folder: None) -> None:
    folder = prepare_multiprocess_dir(2)
    assert folder is not None
    assert os.environ[MULTIPROC_ENV] == str(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert list(folder.iterdir()) == []
    remove_multiprocess_dir(folder)
    assert not folder.exists()


def test_a_given_folder_is_created_private_or_emptied_of_other_processes_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "created" / "metrics"
    monkeypatch.setenv(MULTIPROC_ENV, str(folder))
    assert prepare_multiprocess_dir(1) is None  # not ours to remove
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    (folder / "counter_1.db").write_bytes(b"old")
    (folder / "gauge_livesum_2.db").write_bytes(b"old")
    own = folder / f"counter_{os.getpid()}.db"  # already open when the serve command runs
    own.write_bytes(b"mine")
    assert prepare_multiprocess_dir(4) is None
    assert sorted(p.name for p in folder.iterdir()) == [own.name]


def test_the_live_gauges_of_a_dead_process_are_forgotten(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(gone.stdout)
    (tmp_path / f"gauge_livesum_{dead}.db").write_bytes(b"")
    (tmp_path / f"counter_{dead}.db").write_bytes(b"")
    (tmp_path / f"gauge_livesum_{os.getpid()}.db").write_bytes(b"")
    forget_dead_processes(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"counter_{dead}.db", f"gauge_livesum_{os.getpid()}.db"]
    )
