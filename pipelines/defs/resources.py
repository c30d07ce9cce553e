"""Resources shared by every stage: the warehouse, the inbox, dbt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.lib.config import ENGINE_TARGETS, load_engine, load_runs_config
from pipelines.lib.duckdb_settings import DuckDBSettings
from pipelines.lib.run_lock import connect_writer, writer_lock

# Every asset that writes the warehouse runs in this pool; DuckDB allows one writer process at a time.
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(DuckDBResource):
    """dagster-duckdb's resource, closing its connection also when the code using it raises.

    DuckDBResource.get_connection closes only on a normal exit. A refused publication or a failed ingest
    left its connection open until garbage collection, and the audit's own connection (other settings)
    was then refused by DuckDB: "Can't open a connection to same database file with a different
    configuration than existing connections".
    """

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # No retries with backoff (dagster-duckdb's: ~100 s per asset when a session holds the file): a program
        # holding the warehouse is named at once, waited for runs.lock_wait_seconds, then the step fails.
        connection = connect_writer(self.database, self.connection_config, load_runs_config().lock_wait_seconds)
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """Every Dagster run (UI, schedule, sensor, CLI) holds the warehouse's writer lock from start to end.

        Not when a schedule or sensor is evaluated (no run): deciding whether to start one takes the lock itself,
        without waiting (pipelines/lib/nothing_new.py), and must not block on a run in progress.
        """
        if self.database == ":memory:" or context.dagster_run is None:
            yield self
            return
        with writer_lock(Path(self.database), entry_point(context.dagster_run), load_runs_config().lock_wait_seconds):
            yield self


def entry_point(run: dg.DagsterRun | None) -> str:
    """Who started a run, for the lock file: a schedule, a sensor, a backfill, or someone in the UI."""
    tags = run.tags if run is not None else {}
    if "dagster/schedule_name" in tags:
        return f"schedule {tags['dagster/schedule_name']}"
    if "dagster/sensor_name" in tags:
        return f"sensor {tags['dagster/sensor_name']}"
    if "dagster/backfill" in tags:
        return f"backfill {tags['dagster/backfill']}"
    return f"Dagster run {run.run_id[:8]} of {run.job_name} (UI)" if run is not None else "Dagster"


class InboxResource(dg.ConfigurableResource):
    """The folder CRM exports are dropped into (SALES_INBOX), and where refused files go (SALES_REJECTED_DIR)."""

    path: str
    rejected_path: str
    # A mapping file for exports of another shape (salesmetrics run --mapping FILE); empty: SALES_MAPPING.
    mapping_path: str = ""

    @property
    def root(self) -> Path:
        return Path(self.path).expanduser().resolve()

    @property
    def mapping_file(self) -> Path | None:
        chosen = self.mapping_path or os.environ.get("SALES_MAPPING", "")
        return Path(chosen).expanduser().resolve() if chosen else None

    @property
    def rejected_dir(self) -> Path:
        return Path(self.rejected_path).expanduser().resolve()


class PublishResource(dg.ConfigurableResource):
    """Where publications are written (SALES_PUBLISH_DIR)."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path).expanduser().resolve()


def publish_resources(duckdb_settings: DuckDBSettings) -> dict[str, object]:
    """What a publication uses: the warehouse and the folder it publishes into (no dbt, no inbox)."""
    return {
        "warehouse": WarehouseResource(
            database=dg.EnvVar("SALES_WAREHOUSE"), connection_config=duckdb_settings.config()
        ),
        "publish": PublishResource(path=dg.EnvVar("SALES_PUBLISH_DIR")),
    }


def build_resources(duckdb_settings: DuckDBSettings) -> dict[str, object]:
    """``duckdb_settings``: the memory limit and spill folder of every warehouse connection (salesmetrics.yml)."""
    # dagster-dbt and the dbt project load here, not on import: the publication's own definitions
    # (pipelines/publish_definitions.py) use this module's resources without them.
    from pipelines.defs.transform.project import DBT_EXECUTABLE, SalesDbtCliResource, dbt_project

    published = publish_resources(duckdb_settings)
    return {
        "warehouse": published["warehouse"],
        "inbox": InboxResource(path=dg.EnvVar("SALES_INBOX"), rejected_path=dg.EnvVar("SALES_REJECTED_DIR")),
        "publish": published["publish"],
        # The dbt installed beside this Python, so nothing depends on an activated virtualenv.
        # Its target: the engine's (SALES_ENGINE or salesmetrics.yml's engine; README "Spark"); for DuckDB the
        # profile's default (DBT_TARGET, else dev).
        "dbt": SalesDbtCliResource(
            project_dir=dbt_project,
            dbt_executable=DBT_EXECUTABLE,
            target=ENGINE_TARGETS["spark"] if load_engine() == "spark" else None,
        ),
    }
