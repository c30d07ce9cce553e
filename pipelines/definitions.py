"""The Dagster code location: assembles the stages' definitions and their resources."""

import dagster as dg

from pipelines.defs.audit.checks import audit_checks
from pipelines.defs.ingest.assets import ingest_assets
from pipelines.defs.jobs import jobs, schedules, sensors
from pipelines.defs.publish.assets import publish_assets
from pipelines.defs.resources import build_resources
from pipelines.defs.transform.assets import sales_dbt_models
from pipelines.defs.transform.freshness import freshness_checks

defs = dg.Definitions(
    assets=[*ingest_assets, sales_dbt_models, *publish_assets],
    asset_checks=[*audit_checks, *freshness_checks],
    jobs=jobs,
    schedules=schedules,
    sensors=sensors,
    resources=build_resources(),
    # One process per run: DuckDB takes one writer, and steps in separate processes would contend.
    executor=dg.in_process_executor,
)
