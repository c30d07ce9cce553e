"""Jobs over the asset graph, named <verb>_<object>_job."""

import dagster as dg

refresh_warehouse_job = dg.define_asset_job(
    name="refresh_warehouse_job",
    selection=dg.AssetSelection.groups("ingest", "transform"),
    description="Ingest every new export, then rebuild and test the dbt models (staging → marts).",
)

jobs = [refresh_warehouse_job]
