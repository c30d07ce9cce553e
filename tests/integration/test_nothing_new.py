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
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.nothing_new import nothing_new_before_the_job
from pipelines.cli.runner import refresh_warehouse, transform_skipped
from pipelines.definitions import defs
from pipelines.defs.jobs import SKIP_IF_UNCHANGED_TAG, inbox_sensor
from pipelines.defs.resources import InboxResource, WarehouseResource
from pipelines.lib.duckdb_settings import duckdb_settings
from pipelines.lib.nothing_new import NothingNew
from pipelines.lib.settings import DBT_PROJECT_DIR, resolve_paths
from pipelines.lib.transform.fingerprint import (
    missing_tables,
    nothing_new_message,
    nothing_new_since,
    record_full_build,
)
from tests.integration.conftest import Built, copy_of_built, restored_env

SAMPLE_FILES = 13  # the sample export: 10 Salesforce objects, targets, benchmarks, fixed costs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Built:
    """A copy of the session's sample (conftest ``built``, 4,000 deals, built once for the suite): one file copy
    instead of a run; this module's tests write to it."""
    return copy_of_built(built, tmp_path_factory.mktemp("nothing_new"))


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


def test_the_schedule_and_the_sensor_start_no_run_when_nothing_is_new(built: Built) -> None:
    """The daily schedule and the inbox sensor decide as `salesmetrics run` does: every file already loaded and the
    marts built from them, no run (a skip that says since when); a changed file, a run."""
    inbox = InboxResource(path=str(built.inbox), rejected_path=str(built.inbox.parent / "rejected"))
    warehouse = WarehouseResource(database=str(built.warehouse), connection_config=duckdb_settings().config())
    schedule = defs.resolve_schedule_def("refresh_warehouse_job_schedule")
    since = f"Nothing new since {last_build(built.warehouse):%Y-%m-%d %H:%M} UTC"

    def tick_schedule() -> dg.RunRequest | dg.SkipReason:
        with (
            dg.instance_for_test() as instance,
            dg.build_schedule_context(instance=instance, resources={"inbox": inbox, "warehouse": warehouse}) as ctx,
        ):
            result = schedule.evaluate_tick(ctx)
        if result.run_requests:
            [request] = result.run_requests
            return request
        return dg.SkipReason(result.skip_message)

    def tick_sensor(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
        with (
            dg.instance_for_test() as instance,
            dg.build_sensor_context(
                instance=instance, cursor=cursor, resources={"inbox": inbox, "warehouse": warehouse}
            ) as ctx,
        ):
            return inbox_sensor(ctx)

    skipped = tick_schedule()
    assert isinstance(skipped, dg.SkipReason)
    assert skipped.skip_message.startswith(since)
    assert skipped.skip_message.endswith(f"All {SAMPLE_FILES} files of the inbox already loaded.")
    # A first look at the inbox (no cursor): every file is new to the sensor, but all are loaded: no run.
    first = tick_sensor(None)
    assert isinstance(first, dg.SensorResult) and not first.run_requests and first.cursor
    assert first.skip_reason is not None and since in first.skip_reason.skip_message
    # The same export copied in again under another name: new to the sensor, nothing new to load.
    copy = built.export_dir / "Opportunity_again.csv"
    shutil.copy(built.export_dir / "Opportunity.csv", copy)
    try:
        again = tick_sensor(first.cursor)
        assert not again.run_requests and again.cursor != first.cursor
    finally:
        copy.unlink()
    # A changed file: both start a run that skips what is unchanged.
    path = built.export_dir / "Product2.csv"
    original = path.read_bytes()
    path.write_bytes(original.replace(b"\n", b"\r\n", 1) + b"")  # same rows, other bytes: a new checksum
    try:
        request = tick_schedule()
        assert isinstance(request, dg.RunRequest) and request.tags[SKIP_IF_UNCHANGED_TAG] == "true"
        changed = tick_sensor(first.cursor)
        assert len(changed.run_requests) == 1 and changed.run_requests[0].tags[SKIP_IF_UNCHANGED_TAG] == "true"
    finally:
        path.write_bytes(original)
    assert isinstance(tick_schedule(), dg.SkipReason)


def test_on_spark_a_run_with_nothing_new_skips_the_spark_build(built: Built, tmp_path: Path) -> None:
    """On Spark only the marts live in DuckDB (copied back after the build): with nothing new since the last Spark
    build, the run skips dbt as on DuckDB, instead of a whole Spark build (44 minutes at 1M opportunities); the
    first build after switching engines is new work."""
    paths = ("SALES_INBOX", "SALES_WAREHOUSE", "SALES_PUBLISH_DIR", "SALES_REJECTED_DIR", "SALES_ENGINE")
    with restored_env(*paths):
        copy = copy_of_built(built, tmp_path)
        manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
        with duckdb.connect(str(copy.warehouse)) as con:
            # what a Spark build leaves in DuckDB: the marts, no staging or intermediate tables
            con.execute("drop schema staging cascade")
            con.execute("drop schema intermediate cascade")
            duckdb_fingerprint, since = nothing_new_since(con, DBT_PROJECT_DIR)
            assert since == last_build(built.warehouse)
            assert "staging.stg_salesforce__opportunities" in missing_tables(con, manifest)
            os.environ["SALES_ENGINE"] = "spark"
            spark_fingerprint, since = nothing_new_since(con, DBT_PROJECT_DIR)
            assert since is None and spark_fingerprint != duckdb_fingerprint  # another engine: build
            assert missing_tables(con, manifest) == []
            spark_build = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # the last build
            record_full_build(con, spark_fingerprint, spark_build, "a-spark-build")
            assert nothing_new_since(con, DBT_PROJECT_DIR) == (spark_fingerprint, spark_build)
        result = refresh_warehouse()  # the job itself (the UI's "Materialize all"): the dbt asset decides
        assert result.success
        assert transform_skipped(result) == nothing_new_message(spark_build)
        with duckdb.connect(str(copy.warehouse)) as con:
            con.execute("drop table marts.sales_by_period")
            assert missing_tables(con, manifest) == ["marts.sales_by_period"]
