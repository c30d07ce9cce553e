"""`salesmetrics sql`: the DuckDB shell on the analysts' copy, read-only, its schemas described; a shell held
open never blocks a run or a publication; a clear message before the first run."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.runner import refresh_warehouse
from pipelines.cli.sql_shell import shell_command
from pipelines.lib.publish.analyst_copy import analyst_copy_path
from tests.integration.conftest import Built, copy_of_built


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Built:
    """A copy of the session's sample: the open-shell test rebuilds and publishes in it."""
    return copy_of_built(built, tmp_path_factory.mktemp("sql_shell"))


def locked_by_another_process(path: Path) -> bool:
    """Whether another process holds a lock on ``path`` (F_GETLK asks without taking one)."""
    layout = "hhxxxxqqixxxx"  # struct flock on Linux x86-64: type, whence, start, len, pid
    with path.open("rb") as handle:
        answer = fcntl.fcntl(handle.fileno(), fcntl.F_GETLK, struct.pack(layout, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
    return struct.unpack(layout, answer)[0] != fcntl.F_UNLCK


def wait_until_locked(shell: subprocess.Popen, path: Path) -> None:
    """Until the shell holds its lock on ``path`` (it has opened the database): from then on a writer on that file
    would fail. (.venv/bin/duckdb is a launcher: the lock is its child's.)"""
    for _ in range(600):
        assert shell.poll() is None, shell.stderr.read()
        if locked_by_another_process(path):
            return
        time.sleep(0.1)
    raise AssertionError(f"the shell never opened {path}")


def test_without_an_analysts_copy_it_says_to_run_first(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sql", "--warehouse", str(tmp_path / "warehouse.duckdb")])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert f"no analysts' copy at {tmp_path / 'analytics.duckdb'} yet" in output and "Run `make run`" in output


def test_the_shell_describes_the_schemas_and_is_read_only(warehouse: Built) -> None:
    command = shell_command(warehouse.warehouse)
    assert command[1:3] == ["-readonly", "-init"] and command[-1] == str(analyst_copy_path(warehouse.warehouse))
    queries = (
        ".mode csv\n.headers off\n"
        "select sum(revenue) from marts.sales_by_period where grain = 'year';\n"
        "create table marts.scratch as select 1 as x;\n"
    )
    done = subprocess.run(command, input=queries, capture_output=True, text=True)
    with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
        revenue = con.execute("select sum(amount) from marts.fct_opportunities where status = 'won'").fetchone()[0]
    lines = done.stdout.splitlines()
    assert "Schemas" in lines and any(line.startswith("  marts ") for line in lines)
    assert "fct_opportunities" in done.stdout and "kpi_catalogue" in done.stdout
    assert lines[-1] == f"{revenue:f}"
    assert "read-only" in done.stderr


def test_an_open_shell_never_blocks_a_run_or_a_publication(warehouse: Built) -> None:
    copy = analyst_copy_path(warehouse.warehouse)
    shell = subprocess.Popen(
        shell_command(warehouse.warehouse),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_locked(shell, copy)
        refresh_warehouse(force=True)  # a real rebuild, which replaces the copy
        result = CliRunner().invoke(
            app, ["publish", "monthly", "--period", "2026-05", "--warehouse", str(warehouse.warehouse)]
        )
        assert result.exit_code == 0, result.output
        # The open shell still reads the copy it opened (from before the publication: no snapshots in it).
        out, errors = shell.communicate(
            ".mode csv\n.headers off\nselect count(*) from duckdb_tables() where schema_name = 'snapshots';\n",
            timeout=60,
        )
        assert shell.returncode == 0, errors
        assert out.splitlines()[-1] == "0"
    finally:
        shell.kill()
    with duckdb.connect(str(copy), read_only=True) as con:
        published = con.execute("select count(*) from snapshots.kpi_monthly where period = '2026-05'").fetchone()[0]
    assert published > 10
