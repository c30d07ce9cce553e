"""The publication jobs: one partitioned job per grain, each materializing its snapshot asset."""

import dagster as dg

PUBLISH_JOBS = {"weekly": "publish_weekly_snapshot_job", "monthly": "publish_monthly_snapshot_job"}
_DESCRIPTIONS = {
    "weekly": "Freeze one ISO week's scorecard (snapshots.kpi_weekly, data/published/weekly/).",
    "monthly": "Freeze one month's scorecard (snapshots.kpi_monthly, data/published/monthly/).",
}


def build_publish_jobs(partitions: dict[str, dg.TimeWindowPartitionsDefinition]) -> dict[str, object]:
    """grain → its job, on ``partitions``: the code location's (with schedules) and the command line's."""
    return {
        grain: dg.define_asset_job(
            name=name,
            selection=dg.AssetSelection.assets(["snapshots", f"kpi_{grain}"]),
            partitions_def=partitions[grain],
            description=_DESCRIPTIONS[grain],
        )
        for grain, name in PUBLISH_JOBS.items()
    }
