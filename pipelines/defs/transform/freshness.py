"""Freshness of the marts: they must include the newest export the audit accepted."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL
from pipelines.lib.ingest.canonical import CANONICAL_OBJECTS
from pipelines.lib.ingest.salesforce import ALL_OBJECTS
from pipelines.lib.warehouse import newest_export_and_build

SCORECARD = dg.AssetKey(["marts", "kpi_scorecard"])


@dg.asset_check(
    asset=SCORECARD,
    name="includes_newest_accepted_export",
    # After every ingest asset (and its audit) of the run, so an ingest-only run says when the marts fall behind.
    additional_deps=[dg.AssetKey(["raw", obj.table]) for obj in (*ALL_OBJECTS, *CANONICAL_OBJECTS)],
    pool=WAREHOUSE_POOL,
    description=(
        "The marts were built after the newest export the audit accepted (raw._transform_log against "
        "raw._ingest_log). Warns when an export was accepted but dbt has not run since, e.g. after "
        "ingest_exports_job or a failed build: publication refuses until refresh_warehouse_job succeeds."
    ),
)
def marts_include_newest_export(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as con:
        newest, built = newest_export_and_build(con)
    fresh = newest is None or (built is not None and built >= newest)
    return dg.AssetCheckResult(
        passed=fresh,
        severity=dg.AssetCheckSeverity.WARN,
        description=None
        if fresh
        else (
            f"The marts (built {built or 'never'}) are older than the newest accepted export (loaded {newest}): "
            "run refresh_warehouse_job (`salesmetrics run`)."
        ),
        metadata={
            "newest_accepted_export_loaded_at": str(newest) if newest else "none",
            "marts_built_at": str(built) if built else "never",
        },
    )


freshness_checks = [marts_include_newest_export]
