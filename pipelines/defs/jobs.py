"""Jobs over the asset graph (<verb>_<object>_job), their schedules and the inbox sensor."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from pipelines.defs.publish.jobs import build_publish_jobs
from pipelines.defs.resources import InboxResource, WarehouseResource
from pipelines.defs.transform.assets import SKIP_IF_UNCHANGED_TAG, sales_dbt_models
from pipelines.defs.transform.freshness import marts_include_newest_export
from pipelines.lib.config import PublishConfig
from pipelines.lib.nothing_new import nothing_new_before_a_run

ingest_exports_job = dg.define_asset_job(
    name="ingest_exports_job",
    selection=dg.AssetSelection.groups("ingest") | dg.AssetSelection.checks(marts_include_newest_export),
    description=(
        "Land and audit every new export file (files already loaded are skipped); then say whether the marts "
        "are now older than the newest accepted export."
    ),
)

refresh_warehouse_job = dg.define_asset_job(
    name="refresh_warehouse_job",
    selection=dg.AssetSelection.groups("ingest") | dg.AssetSelection.assets(sales_dbt_models),
    description="Ingest and audit every new export, then rebuild and test the dbt models (staging → marts).",
)


def inbox_entries(root: Path) -> set[str]:
    """One short digest per file of the inbox (path, size, modification time).

    Left out: what the pipeline itself writes there, the archives it unpacks (``<archive>.unzipped/``).
    """
    if not root.exists():
        return set()
    entries = set()
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if not path.is_file() or any(part.endswith(".unzipped") for part in relative.parts[:-1]):
            continue
        stat = path.stat()
        entry = f"{relative.as_posix()}|{stat.st_size}|{stat.st_mtime_ns}"
        entries.add(hashlib.sha256(entry.encode()).hexdigest()[:16])
    return entries


def _seen(cursor: str | None) -> set[str]:
    try:
        return set(json.loads(cursor)) if cursor else set()
    except (ValueError, TypeError):  # a cursor of an earlier version: treat everything as new, once
        return set()


def already_done(inbox: InboxResource, warehouse: WarehouseResource, entry: str) -> str | None:
    """Why a run would load, audit and build nothing (every file of the inbox loaded, the marts built from
    them), as ``salesmetrics run`` decides it before its job; None when it would do something, or on any doubt."""
    quiet = nothing_new_before_a_run(
        inbox.root, Path(warehouse.database), inbox.mapping_file, entry, dict(warehouse.connection_config)
    )
    if quiet is None:
        return None
    return f"{quiet.message()} All {quiet.files} files of the inbox already loaded."


@dg.sensor(
    name="inbox_sensor",
    job=refresh_warehouse_job,
    minimum_interval_seconds=60,
    description=(
        "Starts refresh_warehouse_job when a file appears or changes in the inbox, and for nothing else: files "
        "removed or moved out (a rejected export), the archives the pipeline unpacks, and a file whose content "
        "is already loaded (touched or copied again) start no run."
    ),
)
def inbox_sensor(
    context: dg.SensorEvaluationContext, inbox: InboxResource, warehouse: WarehouseResource
) -> dg.SensorResult | dg.SkipReason:
    entries, seen = inbox_entries(inbox.root), _seen(context.cursor)
    cursor = json.dumps(sorted(entries))
    if entries == seen:
        return dg.SkipReason("Nothing new in the inbox." if entries else f"The inbox {inbox.root} is empty.")
    if not entries - seen:  # only removals or the pipeline's own files: remember the state, start nothing
        return dg.SensorResult(skip_reason="No new or changed file in the inbox.", cursor=cursor)
    done = already_done(inbox, warehouse, "sensor inbox_sensor (deciding whether to start a run)")
    if done is not None:  # a file touched or copied again, same content: remember the state, start nothing
        return dg.SensorResult(skip_reason=f"Files changed in the inbox, but nothing new: {done}", cursor=cursor)
    run_key = hashlib.sha256(cursor.encode()).hexdigest()
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key, tags={SKIP_IF_UNCHANGED_TAG: "true"})], cursor=cursor
    )


Built = tuple[list[dg.JobDefinition], list[dg.ScheduleDefinition], list[dg.SensorDefinition]]


def build_jobs(config: PublishConfig, partitions: dict[str, dg.TimeWindowPartitionsDefinition]) -> Built:
    """The jobs, schedules and sensors; the publication ones on ``partitions``, at ``config``'s hour and timezone."""
    publish_jobs = build_publish_jobs(partitions)
    publish_weekly_snapshot_job, publish_monthly_snapshot_job = publish_jobs["weekly"], publish_jobs["monthly"]

    @dg.schedule(
        name="refresh_warehouse_job_schedule",
        job=refresh_warehouse_job,
        cron_schedule=f"0 {max(config.hour_of_day - 1, 0)} * * *",
        execution_timezone=config.timezone,
        description=(
            "Daily: ingest, audit and transform whatever arrived. With nothing new (every file of the inbox "
            "already loaded, the marts built from them) it starts no run and says so."
        ),
    )
    def refresh_warehouse_job_schedule(
        context: dg.ScheduleEvaluationContext, inbox: InboxResource, warehouse: WarehouseResource
    ) -> dg.RunRequest | dg.SkipReason:
        done = already_done(inbox, warehouse, "schedule refresh_warehouse_job_schedule (deciding whether to run)")
        if done is not None:
            return dg.SkipReason(done)
        return dg.RunRequest(tags={SKIP_IF_UNCHANGED_TAG: "true"})

    # The last closed period: Monday morning publishes the week that ended on Sunday, the 1st the past month.
    # Their timezone is the partitions' (publish.timezone).
    publish_weekly_snapshot_job_schedule = dg.build_schedule_from_partitioned_job(
        publish_weekly_snapshot_job,
        name="publish_weekly_snapshot_job_schedule",
        hour_of_day=config.hour_of_day,
        day_of_week=1,
    )
    publish_monthly_snapshot_job_schedule = dg.build_schedule_from_partitioned_job(
        publish_monthly_snapshot_job,
        name="publish_monthly_snapshot_job_schedule",
        hour_of_day=config.hour_of_day,
        day_of_month=1,
    )
    jobs = [ingest_exports_job, refresh_warehouse_job, publish_weekly_snapshot_job, publish_monthly_snapshot_job]
    schedules = [
        refresh_warehouse_job_schedule,
        publish_weekly_snapshot_job_schedule,
        publish_monthly_snapshot_job_schedule,
    ]
    return jobs, schedules, [inbox_sensor]
