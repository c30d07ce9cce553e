"""Every failure names its true cause, each made for real: a read-only folder, a full disk (a small tmpfs), DuckDB
out of memory (a tiny memory_limit), dbt killed by SIGKILL. None of them says "fix the file"."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest
from dagster_dbt import DbtCliResource
from typer.testing import CliRunner

from pipelines.cli import app, run_failure_paragraph
from pipelines.cli.runner import RunFailed, _failure
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.failures import classify
from pipelines.lib.sample import generate
from tests.integration.conftest import SAMPLE_END, export_root

FILE_ADVICE = "Fix or replace the file"


@contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A small file system of its own at ``where`` (root only: mount), so a fault is the OS's, not simulated."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)]).returncode:
        pytest.skip("needs root to mount a tmpfs")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def _cli_run(root: Path, warehouse: Path, scale: int = 60) -> str:
    paths = export_root(root)
    generate(paths.inbox / "salesforce" / SAMPLE_END.isoformat(), scale=scale, seed=5, end_date=SAMPLE_END)
    result = CliRunner().invoke(app, ["run", "--warehouse", str(warehouse)])
    assert result.exit_code == 1, result.output
    return " ".join(result.output.split())


def test_a_read_only_folder_is_named_with_its_fix(tmp_path: Path, isolated_env: None) -> None:
    with tmpfs(tmp_path / "ro", "ro,size=1m") as folder:
        text = _cli_run(tmp_path, folder / "warehouse.duckdb")
    assert f"{folder}/warehouse.duckdb.lock is on a read-only file system" in text
    assert "Give that user write access to its folder" in text and "No export file is at fault." in text
    assert FILE_ADVICE not in text and "Traceback" not in text


def test_a_full_disk_is_named_with_its_fix(tmp_path: Path, isolated_env: None) -> None:
    with tmpfs(tmp_path / "small", "size=600k") as folder:
        text = _cli_run(tmp_path, folder / "warehouse.duckdb", scale=2_000)
    assert "The disk is full: " in text and str(folder) in text and "Free space on that disk" in text
    assert FILE_ADVICE not in text and "Traceback" not in text


def test_duckdb_out_of_memory_is_named_with_its_fix(tmp_path: Path) -> None:
    @dg.asset
    def big(warehouse: WarehouseResource) -> None:
        with warehouse.get_connection() as con:
            con.execute("create table t as select repeat('x', 100) || range as s from range(2000000) order by s")

    warehouse = WarehouseResource(database=str(tmp_path / "w.duckdb"), connection_config={"memory_limit": "1MB"})
    with dg.instance_for_test() as instance:
        failure = _failure(
            dg.materialize([big], resources={"warehouse": warehouse}, instance=instance, raise_on_error=False)
        )
    assert failure.cause == "out_of_memory"
    assert str(failure).startswith("DuckDB ran out of memory (Out of Memory Error: could not allocate")
    assert "Raise DuckDB's memory limit" in str(failure) and FILE_ADVICE not in run_failure_paragraph(
        failure, Path("l")
    )


def test_a_killed_dbt_is_named_and_not_blamed_on_a_file(tmp_path: Path, isolated_env: None) -> None:
    from pipelines.defs.transform.assets import sales_dbt_models
    from pipelines.defs.transform.project import DBT_EXECUTABLE, dbt_project

    killed = tmp_path / "dbt"  # answers dagster-dbt's `dbt --version`, then is killed as the build starts
    killed.write_text(f'#!/bin/sh\n[ "$1" = --version ] && exec {DBT_EXECUTABLE} --version\nkill -9 $$\n')
    killed.chmod(0o755)
    resources = {
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(killed)),
        "warehouse": WarehouseResource(database=str(tmp_path / "w.duckdb")),
    }
    with dg.instance_for_test() as instance:
        failure = _failure(
            dg.materialize([sales_dbt_models], resources=resources, instance=instance, raise_on_error=False)
        )
    assert failure.cause == "dbt_killed" and failure.stage == "transform"
    assert str(failure).startswith("dbt was stopped from outside by SIGKILL before it finished")
    text = run_failure_paragraph(failure, Path("run.log"))
    assert text.startswith("The run stopped during transform. dbt was stopped") and "before transform" not in text


def test_a_cause_at_ingest_says_the_marts_are_as_they_were_without_blaming_a_file() -> None:
    failure = RunFailed("The disk is full: … No export file is at fault.", stage="ingest", cause="disk_full")
    text = run_failure_paragraph(failure, Path("run.log"))
    assert "before transform" in text and "the marts are as they were" in text and FILE_ADVICE not in text


def test_duckdbs_raw_lock_text_becomes_the_analyst_fix() -> None:
    raw = (
        'IO Error: Could not set lock on file "/w/warehouse.duckdb": Conflicting lock is held in /usr/bin/duckdb '
        "(PID 999999). However, you would be able to open this database in read-only mode, e.g. by using the "
        "-readonly parameter in the CLI."
    )
    cause = classify(raw)
    assert cause is not None and cause.kind == "busy"
    assert "(pid 999999: /usr/bin/duckdb)" in cause.message and "-readonly" not in cause.message
    assert cause.message.endswith("query /w/analytics.duckdb, the copy that never blocks a run.")
