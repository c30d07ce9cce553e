"""Publish: freeze each closed week and month into snapshots and data/published/; refresh the analysts' copy."""

import warnings
from datetime import date
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL, PublishResource
from pipelines.lib.config import PublishConfig
from pipelines.lib.publish.analyst_copy import analyst_copy_path, snapshots_refresh
from pipelines.lib.publish.restatements import SOURCES as RESTATEMENT_SOURCES
from pipelines.lib.publish.scorecard import SOURCE as SCORECARD_SOURCE
from pipelines.lib.publish.sections import SECTION_MARTS
from pipelines.lib.publish.snapshots import PublishRefused, check_ready, period_label, publish_period
from pipelines.lib.publish.workbook import workbook_name
from pipelines.lib.warehouse import newest_export_and_build

# What a publication reads, from the code that reads it: the scorecard's source, every section's mart and the
# deals a restatement compares.
MARTS_READ = [
    dg.AssetKey(table.split("."))
    for table in dict.fromkeys([SCORECARD_SOURCE, *(f"marts.{mart}" for mart in SECTION_MARTS), *RESTATEMENT_SOURCES])
]


def build_partitions(config: PublishConfig) -> dict[str, dg.TimeWindowPartitionsDefinition]:
    """The weekly (ISO weeks, Monday to Sunday) and monthly periods from ``publish.start_date``, in its timezone."""
    return {
        "weekly": dg.WeeklyPartitionsDefinition(
            start_date=config.start_date.isoformat(), day_offset=1, timezone=config.timezone
        ),
        "monthly": dg.MonthlyPartitionsDefinition(start_date=config.start_date.isoformat(), timezone=config.timezone),
    }


def build_publish_asset(grain: str, partitions: dg.TimeWindowPartitionsDefinition) -> dg.AssetsDefinition:
    with warnings.catch_warnings():
        # A backfill publishes its periods in one run (one writer, one analysts' copy): Dagster marks the parameter
        # beta and said so on every run's terminal, twice.
        warnings.filterwarnings("ignore", message=".*backfill_policy.*", category=dg.BetaWarning)
        return _publish_asset(grain, partitions)


def _publish_asset(grain: str, partitions: dg.TimeWindowPartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=["snapshots", f"kpi_{grain}"],
        partitions_def=partitions,
        deps=MARTS_READ,
        group_name="publish",
        kinds={"duckdb", "parquet", "csv"},
        pool=WAREHOUSE_POOL,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=(
            f"Freezes each closed {grain[:-2]} period's KPI scorecard into `snapshots.kpi_{grain}` (append-only "
            f"versions, is_current on the latest) and `data/published/{grain}/<period>/v<n>/` (Parquet, CSV, "
            "manifest with checksums, the dashboard page and the workbook). Same inputs → no new version; a new "
            "version of a published period lists what changed since the previous one (`snapshots.restatements`). "
            "Refuses when the latest audit failed or the marts are older than the newest accepted export. "
            "A backfill publishes all periods in one run."
        ),
    )
    def _publish(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, publish: PublishResource
    ) -> dg.MaterializeResult:
        labels = [period_label(grain, date.fromisoformat(key[:10])) for key in context.partition_keys]
        database = Path(warehouse.database).expanduser().resolve()
        try:
            with warehouse.get_connection() as con:
                check_ready(con)  # a refusal starts no copy
                # only the snapshots change: the copy's marts are kept when they are the last build's, and its file
                # copy is made while the periods are published
                built = newest_export_and_build(con)[1]
                with snapshots_refresh(analyst_copy_path(database), built) as refresh_copy:
                    publications = [publish_period(con, publish.root, grain, label, context.run_id) for label in labels]
                    copied = refresh_copy(con)
        except PublishRefused as refusal:
            raise dg.Failure(description=f"Publication refused: {refusal}") from None
        for p in publications:
            verb = "published" if p.created else "unchanged, already published as"
            context.log.info(f"{p.period}: {verb} version {p.version} ({p.rows} rows) → {p.folder}")
        pages = [p.folder / "index.html" for p in publications]
        workbooks = [p.folder / workbook_name(p.grain, p.period, p.version) for p in publications]
        latest = publications[-1] if publications else None
        return dg.MaterializeResult(
            metadata={
                "periods": [p.period for p in publications],
                "new_versions": [p.snapshot_id for p in publications if p.created],
                "unchanged": [p.snapshot_id for p in publications if not p.created],
                "restated_kpis": [p.restated for p in publications if p.created],
                "folders": [str(p.folder) for p in publications],
                "pages": [str(page) for page in pages],
                "workbooks": [str(book) for book in workbooks],
                # The latest period's files as paths (copy button) and as file:// links.
                "dashboard_page": dg.MetadataValue.path(str(pages[-1]) if pages else ""),
                "dashboard_link": dg.MetadataValue.url(pages[-1].as_uri() if pages else ""),
                "workbook": dg.MetadataValue.path(str(workbooks[-1]) if workbooks else ""),
                "manifest": dg.MetadataValue.path(str(latest.folder / "manifest.json") if latest else ""),
                "index_page": dg.MetadataValue.path(str(publish.root / "index.html")),
                "publications": dg.MetadataValue.table(
                    records=[
                        dg.TableRecord(
                            {
                                "period": p.period,
                                "version": p.version,
                                "new": p.created,
                                "rows": p.rows,
                                "page": str(page),
                                "workbook": str(book),
                            }
                        )
                        for p, page, book in zip(publications, pages, workbooks, strict=True)
                    ],
                    schema=dg.TableSchema(
                        columns=[
                            dg.TableColumn("period", "string"),
                            dg.TableColumn("version", "int"),
                            dg.TableColumn("new", "bool"),
                            dg.TableColumn("rows", "int"),
                            dg.TableColumn("page", "string"),
                            dg.TableColumn("workbook", "string"),
                        ]
                    ),
                ),
                "dagster/table_name": f"snapshots.kpi_{grain}",
                "rows_frozen": sum(p.rows for p in publications),
                "source": publications[0].source if publications else "",
                "analyst_copy_tables": len(copied),
            }
        )

    return _publish


def build_publish_assets(partitions: dict[str, dg.TimeWindowPartitionsDefinition]) -> list[dg.AssetsDefinition]:
    return [build_publish_asset(grain, partitions[grain]) for grain in ("weekly", "monthly")]
