"""The analysts' copy after a publication: only the snapshots are written again when the copy holds the last build."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.publish.analyst_copy import refresh_analyst_copy, snapshots_refresh


def refresh_copied_snapshots(con: duckdb.DuckDBPyConnection, copy: Path, built: datetime | None) -> dict[str, int]:
    """Both halves of snapshots_refresh at once: the copy refreshed after the snapshots were written."""
    with snapshots_refresh(copy, built) as finish:
        return finish(con)


def read(copy: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(copy), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_publication_rewrites_only_the_snapshots_of_a_current_copy(tmp_path: Path) -> None:
    warehouse, copy = tmp_path / "warehouse.duckdb", tmp_path / "analytics.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts; create schema snapshots")
    con.execute("create table marts.sales_by_period as select 100.25::decimal(18, 2) as revenue")
    con.execute("create table snapshots.kpi_monthly_versions as select 'v1' as version")
    con.execute("create view snapshots.kpi_monthly as select * from snapshots.kpi_monthly_versions")
    assert refresh_analyst_copy(con, copy) == {"marts.sales_by_period": 1, "snapshots.kpi_monthly_versions": 1}
    built = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)  # the build the copy holds

    con.execute("insert into snapshots.kpi_monthly_versions values ('v2')")
    # a change to the marts behind the pipeline's back shows the marts were not written again
    con.execute("update marts.sales_by_period set revenue = 1")
    assert refresh_copied_snapshots(con, copy, built) == {"snapshots.kpi_monthly_versions": 2}
    assert read(copy, "select version from snapshots.kpi_monthly order by 1") == [("v1",), ("v2",)]
    assert read(copy, "select revenue::varchar from marts.sales_by_period") == [("100.25",)]

    # a copy older than the last build (a run killed before it copied): everything is written
    os.utime(copy, (0, 0))
    assert refresh_copied_snapshots(con, copy, built) == {
        "marts.sales_by_period": 1,
        "snapshots.kpi_monthly_versions": 2,
    }
    assert read(copy, "select revenue::varchar from marts.sales_by_period") == [("1.00",)]
    assert refresh_copied_snapshots(con, tmp_path / "missing.duckdb", None)["marts.sales_by_period"] == 1
    assert not list(tmp_path.glob(".*partial"))


def published_and_copied(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, Path, datetime]:
    """A warehouse with one published version, its copy written by the last build."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema marts; create schema snapshots")
    con.execute("create table marts.sales_by_period as select 100.25::decimal(18, 2) as revenue")
    con.execute("create table snapshots.kpi_monthly_versions as select 'v1' as version")
    refresh_analyst_copy(con, tmp_path / "analytics.duckdb")
    return con, tmp_path / "analytics.duckdb", datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)


def test_the_copy_made_while_publishing_gets_the_snapshots_written_meanwhile(tmp_path: Path) -> None:
    """The file copy starts before the publication writes its rows: the copy still ends with them, marts kept."""
    con, copy, built = published_and_copied(tmp_path)
    with snapshots_refresh(copy, built) as finish:
        con.execute("insert into snapshots.kpi_monthly_versions values ('v2')")  # the publication, meanwhile
        con.execute("update marts.sales_by_period set revenue = 1")
        assert finish(con) == {"snapshots.kpi_monthly_versions": 2}
    assert read(copy, "select version from snapshots.kpi_monthly_versions order by 1") == [("v1",), ("v2",)]
    assert read(copy, "select revenue::varchar from marts.sales_by_period") == [("100.25",)]
    assert not list(tmp_path.glob(".*partial"))


def test_a_refused_publication_leaves_the_copy_as_it_was_and_no_scratch_file(tmp_path: Path) -> None:
    con, copy, built = published_and_copied(tmp_path)
    before = (copy.read_bytes(), copy.stat().st_mtime_ns)
    with pytest.raises(RuntimeError, match="refused"), snapshots_refresh(copy, built):
        con.execute("insert into snapshots.kpi_monthly_versions values ('v2')")
        raise RuntimeError("refused")
    assert (copy.read_bytes(), copy.stat().st_mtime_ns) == before
    assert read(copy, "select version from snapshots.kpi_monthly_versions") == [("v1",)]
    assert not list(tmp_path.glob(".*partial"))


def versions_published_and_copied(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, Path, datetime]:
    """Version 1 of March published and in the copy, the second version of March published since."""
    con, copy, built = published_and_copied(tmp_path)
    con.execute(
        "create table snapshots.period_opportunities as select * from (values "
        "('month', '2026-03', 1, 'o1', 10.50::decimal(38, 6)), ('month', '2026-03', 1, 'o2', 20.25::decimal(38, 6))) "
        "as t(grain, period, version, opportunity_id, amount)"
    )
    refresh_analyst_copy(con, copy)
    con.execute(
        "insert into snapshots.period_opportunities values "
        "('month', '2026-03', 2, 'o1', 11.00), ('month', '2026-03', 2, 'o2', 20.25), ('month', '2026-03', 2, 'o3', 5)"
    )
    return con, copy, built


def copied_rows(copy: Path) -> list[tuple]:
    sql = "select version, opportunity_id, amount::varchar from snapshots.period_opportunities order by 1, 2"
    return read(copy, sql)


def test_a_publication_appends_only_the_new_versions_to_the_copy(tmp_path: Path) -> None:
    """Snapshot tables are append-only: the copy gets the versions it lacks, the ones it holds are not written
    again (a copy's row changed behind the pipeline's back stays changed, which shows it)."""
    con, copy, built = versions_published_and_copied(tmp_path)
    with duckdb.connect(str(copy)) as edit:
        edit.execute("update snapshots.period_opportunities set amount = 99 where opportunity_id = 'o2'")

    assert refresh_copied_snapshots(con, copy, built)["snapshots.period_opportunities"] == 5
    assert copied_rows(copy) == [
        (1, "o1", "10.500000"),
        (1, "o2", "99.000000"),  # not written again
        (2, "o1", "11.000000"),
        (2, "o2", "20.250000"),
        (2, "o3", "5.000000"),
    ]
    assert read(copy, "select version from snapshots.kpi_monthly_versions") == [("v1",)]


def test_a_copy_short_of_rows_or_with_other_columns_gets_the_whole_table(tmp_path: Path) -> None:
    con, copy, built = versions_published_and_copied(tmp_path)
    with duckdb.connect(str(copy)) as edit:  # a copy that went astray: one row of version 1 missing
        edit.execute("delete from snapshots.period_opportunities where opportunity_id = 'o1'")
    refresh_copied_snapshots(con, copy, built)
    expected = con.execute(
        "select version, opportunity_id, amount::varchar from snapshots.period_opportunities order by 1, 2"
    ).fetchall()
    assert copied_rows(copy) == expected and len(expected) == 5

    # an upgrade added a column: the table is written whole, with it
    con.execute("alter table snapshots.period_opportunities add column team varchar default 'EMEA'")
    assert refresh_copied_snapshots(con, copy, built)["snapshots.period_opportunities"] == 5
    assert read(copy, "select distinct team from snapshots.period_opportunities") == [("EMEA",)]


def test_a_build_writes_the_marts_whole_and_only_the_new_snapshot_versions(tmp_path: Path) -> None:
    con, copy, _ = versions_published_and_copied(tmp_path)
    with duckdb.connect(str(copy)) as edit:  # changed behind the pipeline's back: shows what is not written again
        edit.execute("update snapshots.period_opportunities set amount = 99 where opportunity_id = 'o2'")
    con.execute("update marts.sales_by_period set revenue = 7")

    assert refresh_analyst_copy(con, copy) == {
        "marts.sales_by_period": 1,
        "snapshots.kpi_monthly_versions": 1,
        "snapshots.period_opportunities": 5,
    }
    assert read(copy, "select revenue::varchar from marts.sales_by_period") == [("7.00",)]
    assert [r[2] for r in copied_rows(copy)] == ["10.500000", "99.000000", "11.000000", "20.250000", "5.000000"]
    assert not list(tmp_path.glob(".*partial"))


def test_a_copy_that_cannot_be_read_is_written_whole(tmp_path: Path) -> None:
    con, copy, _ = versions_published_and_copied(tmp_path)
    copy.write_bytes(b"not a DuckDB file" * 1000)
    assert refresh_analyst_copy(con, copy)["snapshots.period_opportunities"] == 5
    assert len(copied_rows(copy)) == 5
    assert not list(tmp_path.glob(".*partial"))


def test_a_build_writes_small_snapshots_whole_rather_than_copy_the_file(tmp_path: Path) -> None:
    """Snapshots below KEEP_SNAPSHOTS_SHARE of the rows are written anew (a file copy would cost more)."""
    con, copy, _ = versions_published_and_copied(tmp_path)
    con.execute("create or replace table marts.sales_by_period as select range::decimal(18, 2) revenue from range(200)")
    with duckdb.connect(str(copy)) as edit:
        edit.execute("update snapshots.period_opportunities set amount = 99 where opportunity_id = 'o2'")
    assert refresh_analyst_copy(con, copy)["marts.sales_by_period"] == 200
    assert [r[2] for r in copied_rows(copy)] == ["10.500000", "20.250000", "11.000000", "20.250000", "5.000000"]


def test_a_snapshot_table_without_versions_is_written_whole(tmp_path: Path) -> None:
    """Only tables of versions are appended to; one with a period but no version column is copied whole."""
    con, copy, built = published_and_copied(tmp_path)
    con.execute("create table snapshots.period_notes as select '2026-03' as period, 'first' as note")
    refresh_analyst_copy(con, copy)
    con.execute("update snapshots.period_notes set note = 'second'")
    refresh_copied_snapshots(con, copy, built)
    assert read(copy, "select note from snapshots.period_notes") == [("second",)]
