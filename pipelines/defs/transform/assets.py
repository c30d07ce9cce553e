"""Transform: every dbt model is an asset and every dbt test an asset check."""

import os
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WAREHOUSE_POOL
from pipelines.defs.transform.parse_cache import keep_parse_state, prune_targets, target_with_parse_state
from pipelines.defs.transform.project import dbt_project
from pipelines.lib.config import dbt_settings, load_engine
from pipelines.lib.duckdb_settings import dbt_environment
from pipelines.lib.publish.analyst_copy import analyst_copy_path, copy_is_older_than, refresh_analyst_copy
from pipelines.lib.settings import DBT_PROJECT_DIR
from pipelines.lib.transform import marts_swap
from pipelines.lib.transform.fingerprint import (
    full_refresh_reason,
    missing_tables,
    nothing_new_message,
    nothing_new_since,
    project_digest,
    raw_state,
    record_full_build,
)
from pipelines.lib.transform.spark_export import export_raw, import_marts, reset_spark_warehouse, spark_dir
from pipelines.lib.warehouse import TRANSFORM_LOG, transaction

# Schedules and the sensor set this tag (runs recorded before every run skipped unchanged work carry it too);
# the skip now applies to every full build, whoever starts it. FORCE_TRANSFORM_TAG (`salesmetrics run --force`,
# or the tag set in the UI's launchpad) rebuilds anyway.
SKIP_IF_UNCHANGED_TAG = "salesmetrics/skip_transform_if_unchanged"
FORCE_TRANSFORM_TAG = "salesmetrics/force_transform"
SKIPPED_METADATA_KEY = "transform_skipped"
SCORECARD_KEY = dg.AssetKey(["marts", "kpi_scorecard"])
# dbt's own log (dbt.log in the build's target folder, named in a failed run's message) at info: each node's result
# and every error with its database message, not the debug lines (every statement's SQL: ~10 MB a build, and
# dbt's logging of them took ~10 % of a build's time). A node's SQL stays in the folder's compiled/ and run/.
BUILD_LOG = ("--log-level-file", "info")


class SalesDbtTranslator(DagsterDbtTranslator):
    """Models are keyed and grouped by their schema: ``marts/sales_by_period`` in the group ``marts``."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "snapshot", "seed"):
            schema = dbt_resource_props["config"].get("schema") or "main"
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetCheckSpec | None:
        """dbt tests as checks, each with a description (the test's own, else what it tests and where)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=describe_dbt_test(manifest["nodes"].get(unique_id, {})))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        # The layer is the schema (staging, intermediate, marts, history): the global lineage reads
        # ingest → staging → intermediate → marts → publish, group by group.
        return self.get_asset_key(dbt_resource_props).path[0]


def describe_dbt_test(test: Mapping[str, Any]) -> str:
    """ "dbt test accepted_values on scope (values: [...]), models/marts/_scorecard.yml; severity error"."""
    if test.get("description"):
        return test["description"]
    meta = test.get("test_metadata") or {}
    kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k != "model" and v not in (None, "")}
    column = kwargs.pop("column_name", None)
    what = f"dbt test {meta['name']}" if meta.get("name") else f"dbt singular test {test.get('name', '')}"
    on = f" on {column}" if column else ""
    arguments = f" ({', '.join(f'{k}: {v}' for k, v in kwargs.items())})" if kwargs else ""
    severity = str((test.get("config") or {}).get("severity") or "error").lower()
    return f"{what}{on}{arguments}, {test.get('original_file_path', '')}; severity {severity}."


def with_table_metadata(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, events: list[Any]
) -> Iterator[Any]:
    """Each built model's output with its row count (dbt's timing and the table name are already there)."""
    tables = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
    for event in events:
        if isinstance(event, dg.Output):
            path = tuple(context.asset_key_for_output(event.output_name).path)
            if path in tables:
                rows = con.execute(f'select count(*) from "{path[0]}"."{path[1]}"').fetchone()[0]
                # Dagster's standard key: the asset page shows it as "Row count" (dagster-dbt names the table).
                event = event.with_metadata({**event.metadata, "dagster/row_count": dg.MetadataValue.int(rows)})
        yield event


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=SalesDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    pool=WAREHOUSE_POOL,
)
def sales_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBResource
) -> Iterator[Any]:
    """Builds staging, intermediate, facts/dims and the metric marts with dbt, running every data test.

    A full build with nothing new (no export accepted and no change to the dbt project since the last successful
    full build) is skipped, saying since when; a selection of some models always builds them.

    On DuckDB a build is incremental (the incremental models take only rows of loads newer than they hold) when raw
    only gained rows since the last successful full build and the dbt project and settings are unchanged; otherwise,
    or when forced, it runs with ``--full-refresh`` and says why (lib/transform/fingerprint.py full_refresh_reason).
    """
    full = set(context.selected_asset_keys) == set(context.assets_def.keys)
    database = Path(warehouse.database).expanduser().resolve()  # dbt runs from its own folder: an absolute path
    fingerprint = None
    settings = dbt_settings()  # salesmetrics.yml's settings dbt reads: a change to one is new work for dbt
    # On Spark (README "Spark") every build is a whole one (its catalog lives in the session), skipped as on DuckDB
    # when nothing is new: the marts it copied into DuckDB are current.
    on_spark = load_engine() == "spark"
    if full:
        with warehouse.get_connection() as con:
            fingerprint, since = nothing_new_since(con, DBT_PROJECT_DIR, settings)
            missing = missing_tables(con, dbt_project.manifest_path) if since is not None else []
        if missing:  # same inputs, but a table of the last build is gone (dropped by hand): build again
            context.log.info(f"Building although nothing is new: {len(missing)} tables are missing ({missing[0]}, …).")
        if since is not None and not missing and context.run.tags.get(FORCE_TRANSFORM_TAG) != "true":
            said = nothing_new_message(since)
            context.log.info(said)
            copy = analyst_copy_path(database)
            if copy_is_older_than(copy, since):  # killed between the swap and the copy: the build is live, uncopied
                with warehouse.get_connection() as con:
                    copied = refresh_analyst_copy(con, copy)
                context.log.info(f"Analysts' copy refreshed (it predated the last build): {len(copied)} tables.")
            yield dg.AssetObservation(asset_key=SCORECARD_KEY, metadata={SKIPPED_METADATA_KEY: said})
            return
    # Incremental or full: what raw holds now against what the last full build read. On Spark every build is a full
    # one anyway (its catalog lives in the session; staging there is views, the rest tables).
    project = state = refresh_why = None
    if not on_spark:
        with warehouse.get_connection() as con:
            project, state = project_digest(DBT_PROJECT_DIR, settings), raw_state(con)
            forced = context.run.tags.get(FORCE_TRANSFORM_TAG) == "true"
            refresh_why = (
                "the run was forced"
                if forced
                else full_refresh_reason(con, DBT_PROJECT_DIR, settings, state, project=project)
            )
        context.log.info(
            f"Full rebuild of every model (--full-refresh): {refresh_why}."
            if refresh_why
            else "Incremental build: raw only gained rows since the last build; incremental models read the new loads."
        )
    os.environ["SALES_WAREHOUSE"] = str(database)  # the profile's path
    os.environ.update(dbt_environment(database))  # its memory limit and spill folder, as every connection's
    # The reporting currency amounts convert to and whether exports are complete (dbt vars reporting_currency and
    # opportunity_exports_complete read these), as fingerprinted above.
    os.environ.update(settings)
    # Write-audit-publish: dbt builds and tests the marts under a prefix beside the live ones; they are swapped in
    # all at once below, only when the whole build passed (pipelines/lib/transform/marts_swap.py).
    with warehouse.get_connection() as con:
        marts_swap.drop_unfinished(con)  # what a killed build left
        if on_spark:  # dbt reads what the audit accepted from Parquet, and writes into an emptied warehouse
            folder = spark_dir(database)
            exported = export_raw(con, folder)
            reset_spark_warehouse(folder)
            os.environ["SALES_SPARK_DIR"] = str(folder)
            context.log.info(f"Raw tables exported as Parquet for Spark: {len(exported)} tables in {folder}.")
        elif not full:  # the marts not selected are read live by the selected models
            marts_swap.stand_in_for_unselected(con, {k.path[-1] for k in context.selected_asset_keys})
    project_target = dbt_project.project_dir / dbt_project.target_path
    target = target_with_parse_state(project_target, f"{context.op.name}-{context.run_id[:8]}", database)
    # dbt unit tests pin the SQL's logic on hand-made rows, not the data: CI runs them
    # (tests/integration/test_dbt_unit_tests.py); every data test runs here, on every build.
    # dbt holds the warehouse's write lock until it exits: the events are held back, then given each table's row
    # count (on failure, what was built is still reported, without counts).
    events = []
    total = len(context.selected_asset_keys)
    # Older builds' target folders are removed while dbt builds (a second or more of disk work otherwise added).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prune-targets") as pruning:
        pruning.submit(prune_targets, project_target, f"{context.op.name}-", running=target)
        try:
            build = ["build", "--exclude-resource-type", "unit_test", *BUILD_LOG]
            build += ["--full-refresh"] if refresh_why else []
            # On Spark the marts are built under their own names there, then copied in under the build's names.
            with marts_swap.build_names() if not on_spark else nullcontext():
                for event in dbt.cli(build, context=context, target_path=target).stream():
                    events.append(event)
                    if isinstance(event, dg.Output):  # read by the command line's progress display
                        built = sum(isinstance(e, dg.Output) for e in events)
                        context.log.debug(f"dbt built {built} of {total} models")
        except BaseException:
            _drop_failed_build(warehouse, context)
            yield from events
            raise
    keep_parse_state(target, database, project_target)
    # Reached only when dbt succeeded. One transaction: the marts swapped in, the transform log's row (publication
    # checks it to refuse marts older than the data) and the fingerprint the next run's nothing-new skip reads.
    finished = datetime.now(UTC).replace(tzinfo=None)
    with warehouse.get_connection() as con:
        if on_spark:  # the marts Spark built, into DuckDB beside the live ones, where the swap takes them from
            imported = import_marts(con, spark_dir(database), marts_swap.SCHEMA, marts_swap.BUILD_PREFIX)
            context.log.info(f"Marts built on Spark copied into the warehouse: {len(imported)} tables.")
        with transaction(con):
            swapped = marts_swap.swap_in(con)
            con.execute(f"insert into {TRANSFORM_LOG} values (?, ?)", [finished, context.run_id])
            if fingerprint is not None:
                record_full_build(
                    con,
                    fingerprint,
                    finished,
                    context.run_id,
                    project=project,
                    raw=state,
                    full_refresh=bool(refresh_why),
                )
        context.log.info(f"Marts swapped in whole: {len(swapped)} tables.")
        annotated = list(with_table_metadata(context, con, events))
        started = time.monotonic()
        copied = refresh_analyst_copy(con, analyst_copy_path(database))
        took = time.monotonic() - started
    yield from annotated
    # the seconds are read by the benchmark (benchmarks/stages.py, analyst_copy_seconds): the copy is a step's part
    context.log.info(f"Analysts' copy refreshed: {len(copied)} tables in {took:.1f} s.")


def _drop_failed_build(warehouse: DuckDBResource, context: dg.AssetExecutionContext) -> None:
    """The marts a failed build made are dropped (the live ones stay); should the warehouse not open, the next
    build drops them first."""
    try:
        with warehouse.get_connection() as con:
            marts_swap.drop_unfinished(con)
    except Exception as exc:  # the build's own failure is the one to report
        context.log.warning(f"The failed build's marts were left for the next run to drop: {exc}")
