"""Publish: freeze each closed week and month into snapshots and data/published/; refresh the analysts' copy."""

from datetime import date
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL, PublishResource
from pipelines.lib.config import load_publish_config
from pipelines.lib.publish.analyst_copy import analyst_copy_path, refresh_analyst_copy
from pipelines.lib.publish.scorecard import SOURCE as SCORECARD_SOURCE
from pipelines.lib.publish.sections import SECTION_MARTS
from pipelines.lib.publish.snapshots import PublishRefused, period_label, publish_period
from pipelines.lib.publish.workbook import workbook_name

PUBLISH = load_publish_config()
weekly_partitions = dg.WeeklyPartitionsDefinition(
    start_date=PUBLISH.start_date.isoformat(), day_offset=1, timezone=PUBLISH.timezone
)
monthly_partitions = dg.MonthlyPartitionsDefinition(
    start_date=PUBLISH.start_date.isoformat(), timezone=PUBLISH.timezone
)
# What a publication reads, from the code that reads it: the scorecard's source and every section's mart.
MARTS_READ = [
    dg.AssetKey(table.split("."))
    for table in dict.fromkeys([SCORECARD_SOURCE, *(f"marts.{mart}" for mart in SECTION_MARTS)])
]


def build_publish_asset(grain: str, partitions: dg.TimeWindowPartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=["snapshots", f"kpi_{grain}"],
        partitions_def=partitions,
        deps=MARTS_READ,
        group_name="publish",
        kinds={"duckdb", "parquet", "csv"},
        pool=WAREHOUSE_POOL,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=(
            f"Freezes each closed {grain[:-2]} period's KPI scorecard into snapshots.kpi_{grain} (append-only "
            f"versions, is_current on the latest) and data/published/{grain}/<period>/v<n>/ (Parquet, CSV, "
            "manifest with checksums). Same inputs → no new version. Refuses when the latest audit failed or "
            "the marts are older than the newest accepted export. A backfill publishes all periods in one run."
        ),
    )
    def _publish(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource, publish: PublishResource
    ) -> dg.MaterializeResult:
        labels = [period_label(grain, date.fromisoformat(key[:10])) for key in context.partition_keys]
        database = Path(warehouse.database).expanduser().resolve()
        try:
            with warehouse.get_connection() as con:
                publications = [publish_period(con, publish.root, grain, label, context.run_id) for label in labels]
                copied = refresh_analyst_copy(con, analyst_copy_path(database))
        except PublishRefused as refusal:
            raise dg.Failure(description=f"Publication refused: {refusal}") from None
        for p in publications:
            verb = "published" if p.created else "unchanged, already published as"
            context.log.info(f"{p.period}: {verb} version {p.version} ({p.rows} rows) → {p.folder}")
        return dg.MaterializeResult(
            metadata={
                "periods": [p.period for p in publications],
                "new_versions": [p.snapshot_id for p in publications if p.created],
                "unchanged": [p.snapshot_id for p in publications if not p.created],
                "folders": [str(p.folder) for p in publications],
                "pages": [str(p.folder / "index.html") for p in publications],
                "workbooks": [str(p.folder / workbook_name(p.grain, p.period, p.version)) for p in publications],
                "index_page": str(publish.root / "index.html"),
                "source": publications[0].source if publications else "",
                "analyst_copy_tables": len(copied),
            }
        )

    return _publish


publish_assets = [build_publish_asset("weekly", weekly_partitions), build_publish_asset("monthly", monthly_partitions)]
