"""The marts do not depend on how exports were batched into runs: dated exports loaded one per run end with the
same marts, row for row, as one run over all of them in a fresh warehouse.

Three daily Opportunity exports without OpportunityHistory and without LastStageChangeDate move every open deal
one stage a day, so stage history is rebuilt from the repeated exports. Before the fix, the dbt snapshot's
entries (dated by the build that saw them) were mixed in: one run per export added each stage again at the
build's clock time; one run over all three made the final stage "entered" at creation. pipeline_snapshot and
stage_velocity differed (1,654 and 9,029 rows each way at 60 deals).
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.sample import generate
from pipelines.lib.sample.model import OPEN_STAGES, STAGES
from tests.faults.checks import mart_count, mart_differences
from tests.integration.conftest import export_root, restored_env

DAYS = ("2026-07-01", "2026-07-02", "2026-07-03")
PATH_KEYS = ("SALES_INBOX", "SALES_WAREHOUSE", "SALES_PUBLISH_DIR", "SALES_REJECTED_DIR")


def write_exports(base: Path) -> dict[str, Path]:
    """Per day an Opportunity.csv where each open deal is one stage further than the day before (Account and User
    in the first day's folder only)."""
    generate(base / "sample", scale=60, seed=3, end_date=date(2026, 6, 30))
    with (base / "sample" / "Opportunity.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    folders = {}
    for k, day in enumerate(DAYS):
        folder = folders[day] = base / "exports" / day
        folder.mkdir(parents=True)
        for name in ("Account.csv", "User.csv") if k == 0 else ():
            shutil.copy(base / "sample" / name, folder / name)
        with (folder / "Opportunity.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            for i, row in enumerate(rows):
                moved = {"StageName": STAGES[(i + k) % OPEN_STAGES]} if row["IsClosed"] == "false" else {}
                writer.writerow({**row, **moved, "LastStageChangeDate": ""})
    return folders


def run_with(root: Path, folders: list[Path]) -> None:
    for folder in folders:
        shutil.copytree(folder, root / "inbox" / "salesforce" / folder.name)
    export_root(root)
    refresh_warehouse()


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("batched")
    folders = write_exports(base)
    with restored_env(*PATH_KEYS):
        for day in DAYS:  # export 1 → run, export 2 → run, export 3 → run
            run_with(base / "one_per_run", [folders[day]])
        run_with(base / "all_at_once", [folders[day] for day in DAYS])
    return base / "one_per_run", base / "all_at_once"


def test_marts_equal_whatever_the_batching(warehouses: tuple[Path, Path]) -> None:
    assert mart_count(warehouses[0]) >= 20
    assert mart_differences(*warehouses) == {}


def test_stage_history_comes_from_the_exports(warehouses: tuple[Path, Path]) -> None:
    """Each open deal moved on each later export: entries at creation (every deal), at each later export's date
    (open deals) and at the close (closed ones); none from the snapshot, which saw one version per build of each
    open deal (3 in one warehouse, 1 in the other)."""
    one_per_run, _ = warehouses
    with (one_per_run / "inbox" / "salesforce" / DAYS[0] / "Opportunity.csv").open(newline="") as handle:
        deals = list(csv.DictReader(handle))
    open_deals = sum(r["IsClosed"] == "false" for r in deals)
    assert 0 < open_deals < len(deals) == 60
    for root, builds in zip(warehouses, (3, 1), strict=True):
        with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
            entries = con.execute(
                "select source, entered_at_basis, count(*), min(entered_date) filter (where entered_at_basis = "
                "'export_date'), max(entered_date) filter (where entered_at_basis = 'export_date') "
                "from intermediate.int_stage_history_resolved group by all order by all"
            ).fetchall()
            versions = con.execute("select count(*) from history.opportunities_snapshot").fetchone()[0]
        assert entries == [
            ("repeated_exports", "close_date", len(deals) - open_deals, None, None),
            ("repeated_exports", "creation", len(deals), None, None),
            ("repeated_exports", "export_date", 2 * open_deals, date(2026, 7, 2), date(2026, 7, 3)),
        ]
        assert versions == len(deals) + (builds - 1) * open_deals
