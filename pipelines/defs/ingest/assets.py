"""Ingest: one asset per export object, landing new files in DuckDB for the audit, with lineage."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL, InboxResource
from pipelines.lib.ingest.archives import unpack_archives
from pipelines.lib.ingest.boundary import refuse_unsafe_entries
from pipelines.lib.ingest.canonical import CANONICAL_OBJECTS
from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.loader import land_file, record_rejection
from pipelines.lib.ingest.mapping.apply import land_mapped
from pipelines.lib.ingest.mapping.claims import ClaimConflict
from pipelines.lib.ingest.mapping.discover import BUILTIN_MAPPINGS, discover, load_builtins, plan
from pipelines.lib.ingest.mapping.load import MappingError
from pipelines.lib.ingest.mapping.notices import landed_undated
from pipelines.lib.ingest.salesforce import ALL_OBJECTS, ExportObject
from pipelines.lib.warehouse import ensure_tables


def _unpack(inbox: InboxResource) -> None:
    """Refuse links out of the inbox, pipes and devices, then unpack new .zip archives (once, beside each)."""
    problems = refuse_unsafe_entries(inbox.root, inbox.rejected_dir) + unpack_archives(inbox.root, inbox.rejected_dir)
    if problems:
        raise dg.Failure(description=" ".join(problems), metadata={"rejected_archives": problems})


def build_ingest_asset(obj: ExportObject) -> dg.AssetsDefinition:
    @dg.asset(
        name=obj.table,
        key_prefix=["raw"],
        group_name="ingest",
        kinds={"duckdb", "csv"},
        pool=WAREHOUSE_POOL,
        description=(
            f"{obj.description} Lands every new `{obj.name}*.csv` under the inbox that no mapping pattern claims "
            f"and whose header is this object's (its API field names) in `landing.{obj.table}` with source file, "
            "sha256, line number and load time; the audit check "
            f"then moves good rows to `raw.{obj.table}` and bad ones to `quarantine.{obj.table}`. A file "
            "already loaded (same checksum) is skipped; a file that cannot be read as this object is "
            "moved to the rejected folder with its reason and stops the run."
        ),
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, inbox: InboxResource
    ) -> dg.MaterializeResult:
        _unpack(inbox)
        try:  # the run's one decision (pipelines.lib.ingest.mapping.discover.plan): a file a mapping claims is not ours
            files = plan(inbox.root, inbox.mapping_file, load_builtins(BUILTIN_MAPPINGS)).exports(obj)
        except MappingError as problem:
            raise dg.Failure(description=f"{problem} Fix the mapping file and run again.") from None
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


def build_canonical_asset(obj: ExportObject) -> dg.AssetsDefinition:
    entity = obj.name

    @dg.asset(
        name=obj.table,
        key_prefix=["raw"],
        group_name="ingest",
        kinds={"duckdb", "csv"},
        pool=WAREHOUSE_POOL,
        description=(
            f"{obj.description} Every inbox file a mapping reads for `{entity}` (the nearest `mapping.yml` or "
            "`*.mapping.yml` in the file's folder or above, the mapping given by `salesmetrics run --mapping` / "
            "SALES_MAPPING, or a built-in source of pipelines/mappings/ whose headers match; patterns are relative "
            "to the mapping's folder, or to the inbox root for a --mapping outside it; two files for one file key "
            "stop the run unless each carries its own export date) is landed as text, mapped "
            f"by one SQL select into `landing.{obj.table}` with lineage and `_source_name`; the audit check "
            f"then moves good rows to `raw.{obj.table}` and bad ones to `quarantine.{obj.table}`. Without such "
            "files the table stays empty."
        ),
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, inbox: InboxResource
    ) -> dg.MaterializeResult:
        _unpack(inbox)
        cache = Path(warehouse.database).expanduser().resolve().parent / ".transcoded"
        try:
            files = discover(inbox.root, inbox.mapping_file, load_builtins(BUILTIN_MAPPINGS))
        except MappingError as problem:
            raise dg.Failure(description=f"{problem} Fix the mapping file and run again.") from None
        except ClaimConflict as conflict:
            raise dg.Failure(description=str(conflict)) from None
        landed, skipped, rejected, decisions = [], [], [], {}
        with warehouse.get_connection() as con:
            ensure_tables(con, obj)
            for mapped in files:
                for index, block in enumerate(mapped.loaded.mapping.blocks(entity)):
                    if block.from_ != mapped.key:
                        continue
                    try:
                        result = land_mapped(
                            con, mapped, obj=obj, entity=entity, block=block, index=index, cache_dir=cache
                        )
                    except FileRejected as refusal:
                        rejected.append(record_rejection(con, obj, refusal, inbox.rejected_dir))
                        continue
                    except MappingError as problem:
                        raise dg.Failure(description=f"{problem} Fix the mapping file and run again.") from None
                    (skipped if result.skipped else landed).append(result)
                    where = f"{mapped.loaded.path} (source {mapped.loaded.source}, {mapped.found_by})"
                    decisions[str(mapped.path)] = {"mapping": where, "file_key": mapped.key, **result.detected}
                    if not result.skipped:
                        context.log.info(
                            f"{mapped.path}: read as {mapped.key!r} of {where}; {result.rows:,} {entity} rows "
                            f"landed, {result.malformed:,} malformed lines quarantined; detected {result.detected}"
                        )
            notices = {}
            if entity == "campaigns":  # landed, but no period can hold spend without a start date: say so
                undated = landed_undated(con, f"landing.{obj.table}", [r.sha256 for r in landed])
                if undated:
                    context.log.warning(undated)
                    notices["campaigns_without_dates"] = undated
        if rejected:
            raise dg.Failure(description=" ".join(rejected), metadata={"rejected_files": rejected})
        return dg.MaterializeResult(
            metadata={
                **notices,
                "files_found": len(landed) + len(skipped),
                "files_landed": [str(r.file) for r in landed],
                "files_skipped_same_checksum": [str(r.file) for r in skipped],
                "rows_landed": sum(r.rows for r in landed),
                "malformed_lines_quarantined": sum(r.malformed for r in landed),
                "mappings_and_detection": decisions,
                "sources": sorted({m.loaded.source for m in files if m.loaded.mapping.blocks(entity)}),
            }
        )

    return _ingest


ingest_assets = [build_ingest_asset(obj) for obj in ALL_OBJECTS] + [
    build_canonical_asset(obj) for obj in CANONICAL_OBJECTS
]
