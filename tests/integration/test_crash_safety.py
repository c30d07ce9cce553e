"""Crash safety (issue 14.4): the marts change all at once or not at all (a dbt killed after building every model
leaves the previous whole build; a run killed between the swap and the analysts' copy leaves no stale copy), and a
publication killed at the rename of its folder does not block the next one. `make faults` kills for real."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dbt import DbtCliResource

from pipelines.cli.runner import run_job
from pipelines.defs.resources import WarehouseResource
from pipelines.lib.sample import generate
from tests.faults.checks import build_leftovers, half_publications, marts
from tests.integration.conftest import Built, copy_of_built


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Built:
    """A copy of the session's sample (conftest ``built``: 4,000 deals, seed 7, built once for the suite): one file
    copy instead of a run. The newer exports below have as many deals (the audit refuses an export under half the
    previous one's rows as partial)."""
    return copy_of_built(built, tmp_path_factory.mktemp("atomic"))


def test_a_dbt_killed_after_building_leaves_the_previous_whole_build(small: Built, tmp_path: Path) -> None:
    from pipelines.defs.transform.assets import sales_dbt_models
    from pipelines.defs.transform.project import DBT_EXECUTABLE, dbt_project

    before = marts(small.warehouse)
    generate(small.inbox / "salesforce" / "2026-07-31", scale=4_000, seed=7, end_date=date(2026, 7, 31))
    run_job("ingest_exports_job")  # the newer export accepted into raw; the marts not yet rebuilt
    killed = tmp_path / "dbt"  # the real dbt builds and tests every model, then is killed before it exits
    killed.write_text(f'#!/bin/sh\n"{DBT_EXECUTABLE}" "$@"\n[ "$1" = --version ] && exit 0\nkill -9 $$\n')
    killed.chmod(0o755)
    resources = {
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(killed)),
        "warehouse": WarehouseResource(database=str(small.warehouse)),
    }
    with dg.instance_for_test() as instance:
        result = dg.materialize([sales_dbt_models], resources=resources, instance=instance, raise_on_error=False)
    assert not result.success
    assert marts(small.warehouse) == before  # not one table of the killed build is live
    assert build_leftovers(small.warehouse) == []  # the failed build's tables were dropped
    run_job("refresh_warehouse_job")  # the next run builds the newer export, whole
    after = marts(small.warehouse)
    assert after.keys() == before.keys() and len(after) == 24  # 23 marts + fct_deleted_opportunities
    assert after["fct_opportunities"] != before["fct_opportunities"]
    assert build_leftovers(small.warehouse) == []


def test_a_run_killed_between_the_swap_and_the_copy_leaves_no_stale_copy(
    small: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy used to stay stale for good: the next run found nothing new and skipped dbt. The skip now
    refreshes a copy older than the last build."""
    import pipelines.defs.transform.assets as transform_assets

    generate(small.inbox / "salesforce" / "2026-08-31", scale=4_000, seed=22, end_date=date(2026, 8, 31))

    def killed(*_: object) -> None:
        raise SystemExit("killed at the analysts' copy")  # BaseException, as a kill is to the run, in-process

    with monkeypatch.context() as patched:
        patched.setattr(transform_assets, "refresh_analyst_copy", killed)
        with pytest.raises(BaseException, match="killed|failed"):
            run_job("refresh_warehouse_job")
    copy = small.warehouse.parent / "analytics.duckdb"
    assert marts(copy) != marts(small.warehouse)  # the new build is live, the copy still the old one
    run_job("refresh_warehouse_job")  # nothing new since the swapped-in build: dbt skipped, the copy refreshed
    assert marts(copy) == marts(small.warehouse)
    with duckdb.connect(str(small.warehouse), read_only=True) as con:  # one build recorded, not two
        builds = con.execute("select count(*) from raw._transform_log").fetchone()[0]
    assert builds == 3


def test_a_publication_killed_at_the_rename_does_not_block_the_next(small: Built) -> None:
    run_job("publish_monthly_snapshot_job", partition_key="2026-05-01")
    period = small.warehouse.parent / "published" / "monthly" / "2026-05"
    # What a kill right after the rename and before the commit left: the folder without its snapshot rows, a
    # scratch folder of an earlier kill, no index.
    with duckdb.connect(str(small.warehouse)) as con:
        con.execute("delete from snapshots.kpi_monthly_versions where period = '2026-05'")
    shutil.copytree(period / "v1", period / ".v1.partial")
    (period / "versions.json").unlink()

    run_job("publish_monthly_snapshot_job", partition_key="2026-05-01")  # used to fail: v1 already exists

    assert sorted(p.name for p in period.iterdir()) == ["v1", "versions.json"]
    with duckdb.connect(str(small.warehouse), read_only=True) as con:
        versions = con.execute(
            "select distinct version from snapshots.kpi_monthly_versions where period = '2026-05'"
        ).fetchall()
    assert versions == [(1,)]
    assert half_publications(small.warehouse.parent) == []
