"""Which landed files wait for the audit, free of Great Expectations: a check with nothing to judge never imports
it (seconds of start-up)."""

from __future__ import annotations

import duckdb

from pipelines.lib.duckdb_settings import connect
from pipelines.lib.ingest.salesforce import ExportObject
from pipelines.lib.warehouse import INGEST_LOG


def pending_files(con: duckdb.DuckDBPyConnection, obj: ExportObject) -> list[tuple[str, str, int, int]]:
    """(file, sha256, rows, malformed rows) of each landed file of ``obj`` the audit has not judged, oldest first."""
    return con.execute(
        f"select source_file, sha256, rows, malformed_rows from {INGEST_LOG} "
        "where object = ? and status = 'pending' order by loaded_at",
        [obj.name],
    ).fetchall()


def has_pending(database: str, obj: ExportObject) -> bool:
    with connect(database) as con:
        return bool(pending_files(con, obj))
