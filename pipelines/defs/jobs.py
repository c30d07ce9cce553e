"""Jobs over the asset graph, named <verb>_<object>_job."""

import dagster as dg

ingest_exports_job = dg.define_asset_job(
    name="ingest_exports_job",
    selection=dg.AssetSelection.groups("ingest"),
    description="Land every new export file in DuckDB raw (files already loaded are skipped).",
)

refresh_warehouse_job = dg.define_asset_job(
    name="refresh_warehouse_job",
    selection=dg.AssetSelection.groups("ingest", "transform"),
    description="Ingest every new export, then rebuild and test the dbt models (staging → marts).",
)

jobs = [ingest_exports_job, refresh_warehouse_job]
