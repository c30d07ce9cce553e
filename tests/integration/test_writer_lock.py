"""One writer at a time: a second run, from any entry point, waits for the first and then says who holds the
warehouse, never DuckDB's lock text; an analyst's session on the warehouse is named at once, with the fix."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.output import quiet_stdout
from pipelines.cli.runner import RunFailed, refresh_warehouse
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.run_lock import WarehouseBusy, acquire, lock_path, read_holder, release
from pipelines.lib.sample import generate
from tests.faults.holders import analyst_session, run_holding_lock
from tests.integration.conftest import SAMPLE_END, export_root


@pytest.fixture
def no_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose runs do not wait for the lock (runs.lock_wait_seconds: 0), paths under tmp_path."""
    config = tmp_path / "salesmetrics.yml"
    config.write_text("runs:\n  lock_wait_seconds: 0\n", encoding="utf-8")
    monkeypatch.setenv("SALES_CONFIG", str(config))
    return tmp_path


def _inbox(root: Path) -> Path:
    paths = export_root(root)
    generate(paths.inbox / "salesforce" / SAMPLE_END.isoformat(), scale=60, seed=3, end_date=SAMPLE_END)
    return paths.warehouse


def test_a_cli_run_during_another_run_does_nothing_and_names_the_other(no_wait: Path, isolated_env: None) -> None:
    warehouse = _inbox(no_wait)
    with run_holding_lock(warehouse, "schedule refresh_warehouse_job_schedule") as other:
        result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert f"Another run (pid {other.pid}, started " in text
    assert "from schedule refresh_warehouse_job_schedule) is writing the warehouse; this run did nothing" in text
    assert "Could not set lock" not in text and "-readonly" not in text and "Fix or replace the file" not in text
    assert not warehouse.exists()  # not even created


def test_a_scheduled_run_during_a_cli_run_does_nothing(no_wait: Path, isolated_env: None) -> None:
    """The Dagster entry points (UI, schedule, sensor) take the lock in the warehouse resource."""
    from pipelines.definitions import defs

    warehouse = _inbox(no_wait)
    with run_holding_lock(warehouse, "salesmetrics run") as other:
        result = defs.resolve_job_def("refresh_warehouse_job").execute_in_process(
            raise_on_error=False, tags={"dagster/schedule_name": "refresh_warehouse_job_schedule"}
        )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_failure or e.event_type_value == "RESOURCE_INIT_FAILURE")
    text = str(failure.event_specific_data.error.cause or failure.event_specific_data.error)
    assert f"Another run (pid {other.pid}" in text and "from salesmetrics run)" in text
    assert not warehouse.exists()


def test_the_lock_file_records_pid_start_and_entry_point_and_goes_at_the_end(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    seen: dict[str, object] = {}

    @dg.asset
    def look(warehouse: WarehouseResource) -> None:
        seen.update(read_holder(lock_path(database)))
        with warehouse.get_connection() as con:
            con.execute("create table t as select 1 as x")

    tags = {"dagster/sensor_name": "inbox_sensor"}
    result = dg.materialize([look], resources={"warehouse": WarehouseResource(database=str(database))}, tags=tags)
    assert result.success
    assert seen["pid"] == os.getpid() and seen["entry"] == "sensor inbox_sensor" and seen["started"]
    assert not lock_path(database).exists()


def test_a_killed_holder_leaves_no_lock(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with run_holding_lock(warehouse) as other:
        other.send_signal(signal.SIGKILL)
        other.wait()
        assert lock_path(warehouse).exists()  # its file stays, but the OS released the lock with the process
        assert acquire(warehouse, "salesmetrics run", 0)
        assert read_holder(lock_path(warehouse))["pid"] == os.getpid()
        release(warehouse)
    assert not lock_path(warehouse).exists()


def test_an_analyst_session_on_the_warehouse_is_named_at_once_with_the_fix(no_wait: Path, isolated_env: None) -> None:
    warehouse = _inbox(no_wait)
    duckdb.connect(str(warehouse)).close()
    with analyst_session(warehouse) as session:
        with pytest.raises(RunFailed) as failed:
            refresh_warehouse()
    text = str(failed.value)
    assert f"(pid {session.pid}: " in text and "duckdb" in text  # its command line, from /proc
    assert f"query {warehouse.with_name('analytics.duckdb')}, the copy that never blocks a run" in text
    assert "-readonly parameter" not in text and failed.value.cause == "busy"


def test_a_session_opened_mid_run_fails_the_step_at_once_not_after_retries(no_wait: Path) -> None:
    """dagster-duckdb retried a refused connection with backoff (~100 s per asset); now it is named at once."""
    warehouse = no_wait / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    with analyst_session(warehouse) as session:
        with pytest.raises(WarehouseBusy, match=f"pid {session.pid}"):
            with WarehouseResource(database=str(warehouse)).get_connection():
                pass


def test_two_runs_in_one_second_write_two_logs(tmp_path: Path) -> None:
    with quiet_stdout(tmp_path / "w.duckdb") as first, quiet_stdout(tmp_path / "w.duckdb") as second:
        assert first != second
