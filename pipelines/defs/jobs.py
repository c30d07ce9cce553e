"""Jobs over the asset graph (<verb>_<object>_job), their schedules and the inbox sensor."""

import hashlib
from pathlib import Path

import dagster as dg

from pipelines.defs.publish.assets import PUBLISH, monthly_partitions, weekly_partitions
from pipelines.defs.resources import InboxResource
from pipelines.defs.transform.assets import SKIP_IF_UNCHANGED_TAG

ingest_exports_job = dg.define_asset_job(
    name="ingest_exports_job",
    selection=dg.AssetSelection.groups("ingest"),
    description="Land and audit every new export file (files already loaded are skipped).",
)

refresh_warehouse_job = dg.define_asset_job(
    name="refresh_warehouse_job",
    selection=dg.AssetSelection.groups("ingest", "transform"),
    description="Ingest and audit every new export, then rebuild and test the dbt models (staging → marts).",
)

publish_weekly_snapshot_job = dg.define_asset_job(
    name="publish_weekly_snapshot_job",
    selection=dg.AssetSelection.assets(["snapshots", "kpi_weekly"]),
    partitions_def=weekly_partitions,
    description="Freeze one ISO week's scorecard (snapshots.kpi_weekly, data/published/weekly/).",
)

publish_monthly_snapshot_job = dg.define_asset_job(
    name="publish_monthly_snapshot_job",
    selection=dg.AssetSelection.assets(["snapshots", "kpi_monthly"]),
    partitions_def=monthly_partitions,
    description="Freeze one month's scorecard (snapshots.kpi_monthly, data/published/monthly/).",
)

refresh_warehouse_job_schedule = dg.ScheduleDefinition(
    name="refresh_warehouse_job_schedule",
    job=refresh_warehouse_job,
    cron_schedule=f"0 {max(PUBLISH.hour_of_day - 1, 0)} * * *",
    execution_timezone=PUBLISH.timezone,
    tags={SKIP_IF_UNCHANGED_TAG: "true"},
    description="Daily: ingest, audit and transform whatever arrived; almost no work when nothing did.",
)

# The last closed period: Monday morning publishes the week that ended on Sunday, the 1st the past month.
# Their timezone is the partitions' (publish.timezone).
publish_weekly_snapshot_job_schedule = dg.build_schedule_from_partitioned_job(
    publish_weekly_snapshot_job,
    name="publish_weekly_snapshot_job_schedule",
    hour_of_day=PUBLISH.hour_of_day,
    day_of_week=1,
)
publish_monthly_snapshot_job_schedule = dg.build_schedule_from_partitioned_job(
    publish_monthly_snapshot_job,
    name="publish_monthly_snapshot_job_schedule",
    hour_of_day=PUBLISH.hour_of_day,
    day_of_month=1,
)


def inbox_listing(root: Path) -> str:
    """A fingerprint of what is in the inbox: file paths, sizes and modification times."""
    entries = (
        sorted(
            f"{p.relative_to(root)}|{p.stat().st_size}|{p.stat().st_mtime_ns}" for p in root.rglob("*") if p.is_file()
        )
        if root.exists()
        else []
    )
    return hashlib.sha256("\n".join(entries).encode()).hexdigest() if entries else ""


@dg.sensor(
    name="inbox_sensor",
    job=refresh_warehouse_job,
    minimum_interval_seconds=60,
    description="Starts refresh_warehouse_job when files appear or change in the inbox.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: InboxResource) -> dg.SensorResult | dg.SkipReason:
    listing = inbox_listing(inbox.root)
    if not listing:
        return dg.SkipReason(f"The inbox {inbox.root} is empty.")
    if listing == context.cursor:
        return dg.SkipReason("Nothing new in the inbox.")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=listing, tags={SKIP_IF_UNCHANGED_TAG: "true"})], cursor=listing
    )


jobs = [ingest_exports_job, refresh_warehouse_job, publish_weekly_snapshot_job, publish_monthly_snapshot_job]
schedules = [
    refresh_warehouse_job_schedule,
    publish_weekly_snapshot_job_schedule,
    publish_monthly_snapshot_job_schedule,
]
sensors = [inbox_sensor]
