"""Ingest: one asset per export object, landing new files in DuckDB ``raw`` with lineage."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL, InboxResource
from pipelines.lib.loader import ensure_empty_table, find_exports, load_file
from pipelines.lib.salesforce import ALL_OBJECTS, ExportObject


def build_ingest_asset(obj: ExportObject) -> dg.AssetsDefinition:
    @dg.asset(
        name=obj.table,
        key_prefix=["raw"],
        group_name="ingest",
        kinds={"duckdb", "csv"},
        pool=WAREHOUSE_POOL,
        description=(
            f"{obj.description} Loads every new `{obj.name}*.csv` under the inbox into "
            f"`raw.{obj.table}` as text, with source file, sha256, line number and load time. "
            "A file already loaded (same checksum) is skipped; raw keeps every export."
        ),
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, inbox: InboxResource
    ) -> dg.MaterializeResult:
        files = find_exports(inbox.root, obj)
        with warehouse.get_connection() as con:
            ensure_empty_table(con, obj)
            results = [load_file(con, obj, path) for path in files]
            total = con.execute(f'select count(*) from raw."{obj.table}"').fetchone()[0]
        loaded = [r for r in results if not r.skipped]
        for result in loaded:
            context.log.info(f"Loaded {result.rows:,} rows from {result.file}")
        return dg.MaterializeResult(
            metadata={
                "files_found": len(files),
                "files_loaded": [str(r.file) for r in loaded],
                "files_skipped_same_checksum": [str(r.file) for r in results if r.skipped],
                "rows_loaded": sum(r.rows for r in loaded),
                "dagster/row_count": int(total),
                "checksums": {str(r.file): r.sha256 for r in results},
            }
        )

    return _ingest


ingest_assets = [build_ingest_asset(obj) for obj in ALL_OBJECTS]
