"""The publication jobs alone, for `salesmetrics publish`: the same publish assets, jobs and resources as the code
location (pipelines/definitions.py), without the ingest, audit and dbt definitions they do not run.

Loading the whole code location imports dagster-dbt and dbt and reads the dbt manifest (seconds), for a run that
only reads the marts. The run is recorded in the same Dagster instance under the same job and asset, so the UI shows
it as it shows a publication it started; the asset graph it draws (lineage) is the code location's.
"""

import dagster as dg

from pipelines.defs.publish.assets import build_partitions, build_publish_assets
from pipelines.defs.publish.jobs import build_publish_jobs
from pipelines.defs.resources import publish_resources
from pipelines.lib.config import load_publish_config
from pipelines.lib.duckdb_settings import duckdb_settings

partitions = build_partitions(load_publish_config())

defs = dg.Definitions(
    assets=build_publish_assets(partitions),
    jobs=list(build_publish_jobs(partitions).values()),
    resources=publish_resources(duckdb_settings()),
    executor=dg.in_process_executor,
)
