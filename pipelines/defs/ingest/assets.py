"""Ingest: one asset per export object, landing new files in DuckDB for the audit, with lineage."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL, InboxResource
from pipelines.lib.files import FileRejected
from pipelines.lib.loader import find_exports, land_file, record_rejection
from pipelines.lib.salesforce import ALL_OBJECTS, ExportObject
from pipelines.lib.warehouse import ensure_tables


def build_ingest_asset(obj: ExportObject) -> dg.AssetsDefinition:
    @dg.asset(
        name=obj.table,
        key_prefix=["raw"],
        group_name="ingest",
        kinds={"duckdb", "csv"},
        pool=WAREHOUSE_POOL,
        description=(
            f"{obj.description} Lands every new `{obj.name}*.csv` under the inbox in "
            f"`landing.{obj.table}` with source file, sha256, line number and load time; the audit check "
            f"then moves good rows to `raw.{obj.table}` and bad ones to `quarantine.{obj.table}`. A file "
            "already loaded (same checksum) is skipped; a file that cannot be read as this object is "
            "moved to the rejected folder with its reason and stops the run."
        ),
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, inbox: InboxResource
    ) -> dg.MaterializeResult:
        files = find_exports(inbox.root, obj)
        cache = Path(warehouse.database).expanduser().resolve().parent / ".transcoded"
        landed, skipped, rejected = [], [], []
        with warehouse.get_connection() as con:
            ensure_tables(con, obj)
            for path in files:
                try:
                    result = land_file(con, obj, path, cache)
                except FileRejected as refusal:
                    rejected.append(record_rejection(con, obj, refusal, inbox.rejected_dir))
                    continue
                (skipped if result.skipped else landed).append(result)
                if not result.skipped:
                    context.log.info(
                        f"Landed {result.rows:,} rows from {path} ({result.encoding}); "
                        f"{result.malformed:,} malformed lines quarantined"
                    )
        if rejected:
            raise dg.Failure(description=" ".join(rejected), metadata={"rejected_files": rejected})
        return dg.MaterializeResult(
            metadata={
                "files_found": len(files),
                "files_landed": [str(r.file) for r in landed],
                "files_skipped_same_checksum": [str(r.file) for r in skipped],
                "rows_landed": sum(r.rows for r in landed),
                "malformed_lines_quarantined": sum(r.malformed for r in landed),
                "encodings": {str(r.file): r.encoding for r in landed},
                "checksums": {str(r.file): r.sha256 for r in (*landed, *skipped)},
            }
        )

    return _ingest


ingest_assets = [build_ingest_asset(obj) for obj in ALL_OBJECTS]
