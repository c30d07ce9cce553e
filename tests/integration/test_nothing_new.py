"""`salesmetrics run` decides "nothing new" once, before the job (pipelines/lib/nothing_new.py): what counts as new.

A touched file (same content) and a renamed copy of a loaded file are nothing new; a changed file, a new export, a
changed setting dbt reads, a file waiting for the audit, a table of the build gone and an archive to unpack are
new: the job runs and decides every step itself.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.nothing_new import nothing_new_before_the_job
from pipelines.lib.nothing_new import NothingNew
from pipelines.lib.settings import resolve_paths
from tests.integration.conftest import Built, build_warehouse, restored_env

SAMPLE_FILES = 13  # the sample export: 10 Salesforce objects, targets, benchmarks, fixed costs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Built:
    return build_warehouse(tmp_path_factory.mktemp("nothing_new"), scale=300, seed=5)


def decide() -> NothingNew | None:
    return nothing_new_before_the_job(resolve_paths())


def last_build(warehouse: Path) -> datetime:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select max(finished_at) from raw._transform_inputs").fetchone()[0]


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql).fetchall()


def test_after_a_full_run_nothing_is_new(built: Built) -> None:
    assert len(list(built.export_dir.glob("*.csv"))) == SAMPLE_FILES
    quiet = decide()
    assert quiet == NothingNew(since=last_build(built.warehouse), files=SAMPLE_FILES)
    assert quiet.message().startswith(f"Nothing new since {quiet.since:%Y-%m-%d %H:%M} UTC")


def test_a_touched_file_is_read_again_and_found_the_same(built: Built) -> None:
    path = built.export_dir / "Opportunity.csv"
    os.utime(path, ns=(1_800_000_000_000_000_000, 1_800_000_000_000_000_000))
    assert decide() is not None
    # its checksum was read again and remembered with the new time
    assert query(built.warehouse, f"select mtime_ns from raw._file_checksums where path = '{path}'") == [
        (1_800_000_000_000_000_000,)
    ]


def test_a_renamed_copy_of_a_loaded_file_is_nothing_new(built: Built) -> None:
    copy = built.export_dir / "Opportunity_export.csv"
    shutil.copy(built.export_dir / "Opportunity.csv", copy)
    try:
        assert decide() == NothingNew(since=last_build(built.warehouse), files=SAMPLE_FILES + 1)
    finally:
        copy.unlink()


def test_a_new_reporting_currency_is_new(built: Built, tmp_path: Path) -> None:
    with restored_env("SALES_CONFIG"):
        settings = tmp_path / "salesmetrics.yml"
        settings.write_text("publish:\n  reporting_currency: EUR\n", encoding="utf-8")
        os.environ["SALES_CONFIG"] = str(settings)
        assert decide() is None
        settings.write_text("publish:\n  reporting_currency: USD\n", encoding="utf-8")
        assert decide() is not None


def test_a_file_waiting_for_the_audit_is_new(built: Built) -> None:
    query(built.warehouse, "insert into raw._ingest_log (object, sha256, status) values ('Lead', 'x', 'pending')")
    try:
        assert decide() is None
    finally:
        query(built.warehouse, "delete from raw._ingest_log where sha256 = 'x'")
    assert decide() is not None


def test_a_table_of_the_build_gone_is_new(built: Built) -> None:
    query(built.warehouse, "alter table marts.sales_by_period rename to sales_by_period_away")
    try:
        assert decide() is None
    finally:
        query(built.warehouse, "alter table marts.sales_by_period_away rename to sales_by_period")
    assert decide() is not None


def test_an_archive_to_unpack_is_new(built: Built) -> None:
    archive = built.inbox / "later.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("Product2.csv", (built.export_dir / "Product2.csv").read_text(encoding="utf-8"))
    try:
        assert decide() is None
    finally:
        archive.unlink()
    assert decide() is not None


def test_a_busy_warehouse_is_left_to_the_job(built: Built) -> None:
    """Another program holding the warehouse: no decision (the job then waits for it and names it), no wait here."""
    code = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(120)"
    holder = subprocess.Popen([sys.executable, "-c", code, str(built.warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert decide() is None
    finally:
        holder.kill()
        holder.wait()
    assert decide() is not None


def test_a_changed_file_is_new_and_the_run_loads_it(built: Built) -> None:
    path = built.export_dir / "Opportunity.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("Name")] = "Changed deal"
    stat = path.stat()
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with its old modification time
    assert decide() is None
    result = CliRunner().invoke(app, ["run"], env={"COLUMNS": "120"}, prog_name="salesmetrics")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Nothing new" not in result.stdout
    accepted = query(
        built.warehouse, "select count(*) from raw._ingest_log where object = 'Opportunity' and status = 'accepted'"
    )
    assert accepted == [(2,)]
    assert query(
        built.warehouse, "select count(*) from raw.salesforce__opportunity where \"Name\" = 'Changed deal'"
    ) == [(1,)]
    assert decide() == NothingNew(since=last_build(built.warehouse), files=SAMPLE_FILES)
