"""Landing's rows are written uncompressed (they live only until the audit), and DuckDB's global compression
setting is back to its default afterwards, also when the write failed: raw and every other table compress."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.lib.ingest.loader import land_file
from pipelines.lib.ingest.salesforce import by_name
from pipelines.lib.warehouse import transaction, uncompressed

OPPORTUNITY = by_name("Opportunity")


def setting(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_setting('force_compression')").fetchone()[0]


def test_the_setting_is_back_after_a_statement_failed_inside_a_transaction(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create table t (a integer)")
        with pytest.raises(duckdb.ConversionException), transaction(con), uncompressed(con):
            assert setting(con) == "uncompressed"
            con.execute("insert into t values ('not a number')")
        assert setting(con) == "auto"
        con.execute("insert into t values (1)")  # the connection goes on
        assert con.execute("select count(*) from t").fetchone()[0] == 1


def test_landed_rows_are_uncompressed_and_the_setting_back_to_auto(tmp_path: Path) -> None:
    export = tmp_path / "inbox" / "Opportunity.csv"
    export.parent.mkdir()
    rows = 130_000  # more than a row group (122,880 rows): written to the file as it lands, not at a checkpoint
    with export.open("w", encoding="utf-8") as out:
        out.write("Id,StageName,CloseDate,CreatedDate\n")
        out.writelines(f"006{i:015d},Prospecting,2026-01-01,2025-12-01T00:00:00Z\n" for i in range(rows))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        result = land_file(con, OPPORTUNITY, export, tmp_path / "cache")
        assert result.rows == rows
        assert setting(con) == "auto"
        kinds = con.execute(
            "select distinct compression from pragma_storage_info('landing.salesforce__opportunity') "
            "where row_group_id = 0 and segment_type = 'VARCHAR'"
        ).fetchall()
        assert kinds == [("Uncompressed",)]
