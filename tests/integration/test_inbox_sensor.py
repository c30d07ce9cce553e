"""The inbox sensor starts a refresh when a file arrives or changes in the inbox, and for nothing else.

What the pipeline itself does to the inbox (unpacking an archive beside it, moving a rejected file out) and a file
someone removes are not new data: no run.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.defs.jobs import SKIP_IF_UNCHANGED_TAG, inbox_sensor
from pipelines.defs.resources import InboxResource, WarehouseResource


class Sensor:
    def __init__(self, inbox: Path) -> None:
        self.resource = InboxResource(path=str(inbox), rejected_path=str(inbox.parent / "rejected"))
        self.warehouse = WarehouseResource(database=str(inbox.parent / "warehouse.duckdb"))  # none yet: never built
        self.cursor: str | None = None

    def tick(self) -> int:
        """Evaluate once, as the daemon does (carrying the cursor); the number of runs requested."""
        with (
            dg.instance_for_test() as instance,
            dg.build_sensor_context(
                instance=instance, cursor=self.cursor, resources={"inbox": self.resource, "warehouse": self.warehouse}
            ) as context,
        ):
            result = inbox_sensor(context)
        if isinstance(result, dg.SkipReason):
            return 0
        self.cursor = result.cursor
        requests = result.run_requests or []
        assert all(r.tags[SKIP_IF_UNCHANGED_TAG] == "true" for r in requests)
        return len(requests)


def test_new_and_changed_files_start_a_refresh(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    sensor = Sensor(inbox)
    assert sensor.tick() == 0  # no inbox yet
    inbox.mkdir()
    assert sensor.tick() == 0  # empty
    (inbox / "Opportunity.csv").write_text("Id\n1\n")
    assert sensor.tick() == 1
    assert sensor.tick() == 0  # nothing new
    (inbox / "Account.csv").write_text("Id\n1\n")
    assert sensor.tick() == 1
    (inbox / "Account.csv").write_text("Id\n1\n2\n")  # a file replaced by a newer export
    assert sensor.tick() == 1
    assert sensor.tick() == 0


def test_what_the_pipeline_does_to_the_inbox_starts_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "crm").mkdir(parents=True)
    (inbox / "crm" / "Export-2026-06-30.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (inbox / "crm" / "Lead.csv").write_text("Id\n1\n")
    sensor = Sensor(inbox)
    assert sensor.tick() == 1
    # The run unpacks the archive beside it (pipelines/lib/ingest/archives.py) and moves a rejected file out.
    unpacked = inbox / "crm" / "Export-2026-06-30.unzipped"
    unpacked.mkdir()
    (unpacked / "Opportunity.csv").write_text("Id\n1\n")
    (unpacked / ".unpacked").write_text("unpacked from Export-2026-06-30.zip\n")
    os.replace(inbox / "crm" / "Lead.csv", tmp_path / "Lead.csv")
    assert sensor.tick() == 0
    # A new export after that still starts a run.
    (inbox / "crm" / "Lead.csv").write_text("Id\n1\n2\n")
    assert sensor.tick() == 1
