"""Schedules and the inbox sensor evaluated for given dates and inbox states; period ↔ partition mapping."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.defs.jobs import SKIP_IF_UNCHANGED_TAG, inbox_sensor
from pipelines.defs.resources import InboxResource, WarehouseResource
from pipelines.lib.publish.periods import PeriodError, last_closed_period, partition_key_for
from pipelines.lib.publish.snapshots import period_bounds

UTC = ZoneInfo("UTC")


def tick(schedule_name: str, when: datetime, root: Path | None = None) -> list[dg.RunRequest]:
    """The schedule's requests at ``when``; ``root``: where its inbox and warehouse are (the refresh reads them)."""
    schedule = defs.resolve_schedule_def(schedule_name)
    with (
        dg.instance_for_test() as instance,
        dg.build_schedule_context(
            instance=instance, scheduled_execution_time=when, resources=resources(root) if root else None
        ) as context,
    ):
        return list(schedule.evaluate_tick(context).run_requests or [])


def resources(root: Path) -> dict[str, dg.ConfigurableResource]:
    return {
        "inbox": InboxResource(path=str(root / "inbox"), rejected_path=str(root / "rejected")),
        "warehouse": WarehouseResource(database=str(root / "warehouse.duckdb")),
    }


@pytest.mark.parametrize(
    ("when", "partition"),
    [
        (datetime(2026, 11, 23, 6, tzinfo=UTC), "2026-11-16"),  # Monday 23 Nov → week of 16 Nov (2026-W47)
        (datetime(2026, 1, 5, 6, tzinfo=UTC), "2025-12-29"),  # across the year end: 2026-W01 starts 29 Dec
    ],
)
def test_weekly_schedule_publishes_the_week_that_just_closed(when: datetime, partition: str) -> None:
    [request] = tick("publish_weekly_snapshot_job_schedule", when)
    assert request.partition_key == partition
    schedule = defs.resolve_schedule_def("publish_weekly_snapshot_job_schedule")
    assert schedule.cron_schedule == "0 6 * * 1" and schedule.execution_timezone == "UTC"


def test_monthly_schedule_publishes_the_month_that_just_closed() -> None:
    [request] = tick("publish_monthly_snapshot_job_schedule", datetime(2026, 12, 1, 6, tzinfo=UTC))
    assert request.partition_key == "2026-11-01"
    assert defs.resolve_schedule_def("publish_monthly_snapshot_job_schedule").cron_schedule == "0 6 1 * *"


def test_daily_schedule_refreshes_and_skips_unchanged_work(tmp_path: Path) -> None:
    # No warehouse yet: a run (with nothing new the schedule starts none: tests/integration/test_nothing_new.py).
    [request] = tick("refresh_warehouse_job_schedule", datetime(2026, 11, 24, 5, tzinfo=UTC), tmp_path)
    assert request.tags[SKIP_IF_UNCHANGED_TAG] == "true"
    assert defs.resolve_schedule_def("refresh_warehouse_job_schedule").cron_schedule == "0 5 * * *"


def test_sensor_fires_once_per_new_inbox_state(tmp_path: Path) -> None:
    inbox = InboxResource(path=str(tmp_path), rejected_path=str(tmp_path / "rejected"))
    warehouse = WarehouseResource(database=str(tmp_path / "warehouse.duckdb"))  # never built: no file is loaded

    def evaluate(instance: dg.DagsterInstance, cursor: str | None = None) -> dg.SensorResult | dg.SkipReason:
        with dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"inbox": inbox, "warehouse": warehouse}
        ) as context:
            return inbox_sensor(context)

    with dg.instance_for_test() as instance:
        empty = evaluate(instance)
        assert isinstance(empty, dg.SkipReason)
        (tmp_path / "Opportunity.csv").write_text("Id\n1\n")
        first = evaluate(instance)
        assert len(first.run_requests) == 1
        same = evaluate(instance, first.cursor)
        assert isinstance(same, dg.SkipReason)
        (tmp_path / "Account.csv").write_text("Id\n1\n")
        second = evaluate(instance, first.cursor)
        assert len(second.run_requests) == 1 and second.cursor != first.cursor


def test_period_labels_map_to_partition_keys() -> None:
    today = date(2026, 11, 23)
    assert last_closed_period("weekly", today) == "2026-W47"
    assert last_closed_period("monthly", today) == "2026-10"
    assert partition_key_for("weekly", "2026-W47", today) == "2026-11-16"
    assert partition_key_for("monthly", "2026-02", today) == "2026-02-01"
    assert period_bounds("monthly", "2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("weekly", "2026-W01") == (date(2025, 12, 29), date(2026, 1, 4))
    for grain, label in [("weekly", "2026-W48"), ("monthly", "2026-11"), ("monthly", "2026-13"), ("weekly", "26-W1")]:
        with pytest.raises(PeriodError):
            partition_key_for(grain, label, today)
    # Every label the CLI accepts is a partition the asset knows.
    weekly = defs.resolve_assets_def(dg.AssetKey(["snapshots", "kpi_weekly"])).partitions_def
    assert "2026-11-16" in weekly.get_partition_keys(current_time=datetime(2026, 11, 23, 12, tzinfo=UTC))
