"""The Dagster code location: assembles the stages' definitions and their resources."""

import dagster as dg

from pipelines.defs.audit.checks import audit_checks
from pipelines.defs.ingest.assets import ingest_assets
from pipelines.defs.jobs import build_jobs
from pipelines.defs.publish.assets import build_partitions, build_publish_assets
from pipelines.defs.resources import build_resources
from pipelines.defs.transform.assets import sales_dbt_models
from pipelines.defs.transform.freshness import freshness_checks
from pipelines.lib.config import load_publish_config
from pipelines.lib.duckdb_settings import duckdb_settings

# The configuration is read once, here, and handed to the builders (no defs/ module reads it on import).
publish_config = load_publish_config()
partitions = build_partitions(publish_config)
jobs, schedules, sensors = build_jobs(publish_config, partitions)

defs = dg.Definitions(
    assets=[*ingest_assets, sales_dbt_models, *build_publish_assets(partitions)],
    asset_checks=[*audit_checks, *freshness_checks],
    jobs=jobs,
    schedules=schedules,
    sensors=sensors,
    resources=build_resources(duckdb_settings()),
    # One process per run: DuckDB takes one writer, and steps in separate processes would contend.
    executor=dg.in_process_executor,
)
