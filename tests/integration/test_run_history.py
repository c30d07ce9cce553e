"""The run history (pipelines/run_history/): every event kept, one connection per file, the UI's watch wakes.

The storage is the one dagster.yaml names, on an instance of its own in a temporary DAGSTER_HOME, running a small
job of three ops (the pipeline itself is not needed to show what the storage does with events).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.run_history.storage import KEEP_OPEN, RunHistoryStorage

ROOT = Path(__file__).resolve().parents[2]


@dg.op
def one() -> int:
    return 1


@dg.op
def two(value: int) -> int:
    return value + 1


@dg.op
def three(value: int) -> int:
    return value + 1


@dg.job
def small_job() -> None:
    three(two(one()))


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    return tmp_path


def _events_in_file(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("select count(*) from event_logs").fetchone()[0]


def test_a_finished_runs_file_holds_every_event_on_its_own(
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, RunHistoryStorage)
        result = small_job.execute_in_process(instance=instance)
        assert result.success
        stored = instance.all_logs(result.run_id)
        with instance.event_log_storage.run_connection(result.run_id) as conn:
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1  # normal: no disk sync per commit
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
    # The run's file copied alone, without its write-ahead log: the run's end checkpointed every event into it.
    alone = tmp_path_factory.mktemp("copy") / "run.db"
    shutil.copy(home / "history" / "runs" / f"{result.run_id}.db", alone)
    assert len(stored) > 20
    assert _events_in_file(alone) == len(stored)


def test_a_killed_process_loses_no_stored_event(home: Path) -> None:
    script = textwrap.dedent(
        """
        import os, signal, dagster as dg
        from dagster._core.events.log import EventLogEntry
        if True:
            instance = dg.DagsterInstance.get()
            storage = instance.event_log_storage
            for i in range(50):
                storage.store_event(EventLogEntry(None, 20, f"event {i}", "killed", float(i)))
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], env=os.environ.copy(), cwd=ROOT, check=False)
    assert done.returncode == -signal.SIGKILL
    assert _events_in_file(home / "history" / "runs" / "killed.db") == 50


def test_the_storage_keeps_a_bounded_number_of_files_open(home: Path) -> None:
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        for n in range(KEEP_OPEN * 3):
            storage.store_event(_entry("", f"run{n}"))
        open_files = {_target(p) for p in Path(f"/proc/{os.getpid()}/fd").iterdir()}
        assert len(storage._engines) == KEEP_OPEN
        # the most recent files (the index among them): a pool may hold two connections to one file
        assert len({f for f in open_files if "/history/runs/" in f and f.endswith(".db")}) <= KEEP_OPEN
        assert _events_in_file(home / "history" / "runs" / "run0.db") == 1


def _entry(message: str, run_id: str) -> object:
    from dagster._core.events.log import EventLogEntry

    return EventLogEntry(None, 20, message, run_id, time.time())


def _target(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:
        return ""


def test_a_watch_sees_events_another_process_stores_before_the_run_ends(home: Path) -> None:
    """The UI follows a live run by watching its file; the events reach the -wal file first."""
    from dagster._core.events.log import EventLogEntry

    seen: list[str] = []
    arrived = threading.Event()

    def callback(entry: EventLogEntry, _cursor: str) -> None:
        seen.append(entry.user_message)
        if len(seen) == 4:
            arrived.set()

    with dg.DagsterInstance.get() as ui, dg.DagsterInstance.get() as worker:
        worker.event_log_storage.store_event(_entry("first", "live"))
        ui.event_log_storage.watch("live", None, callback)
        time.sleep(0.5)
        for message in ("second", "third", "fourth"):
            worker.event_log_storage.store_event(_entry(message, "live"))
        assert arrived.wait(timeout=10), f"the watch saw {seen}"
        ui.event_log_storage.end_watch("live", callback)
    assert seen == ["first", "second", "third", "fourth"]


def test_an_instance_opened_from_a_folder_keeps_its_history_in_that_folder(home: Path, tmp_path_factory) -> None:
    """As Dagster's default: the benchmark opens the bench's instance by its folder, whatever DAGSTER_HOME says."""
    other = tmp_path_factory.mktemp("other_home")
    shutil.copy(ROOT / "dagster.yaml", other / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(other)) as instance:
        assert isinstance(instance.event_log_storage, RunHistoryStorage)
        result = small_job.execute_in_process(instance=instance)
    assert _events_in_file(other / "history" / "runs" / f"{result.run_id}.db") > 20
    assert not (home / "history").exists()
