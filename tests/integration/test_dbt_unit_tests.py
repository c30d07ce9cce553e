"""dbt's unit tests (hand-made rows pinning each metric's definition) on the sample warehouse's schema.

The pipeline's own dbt build runs every data test but skips unit tests (they test the SQL, not the data);
this runs them all, once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lib.settings import PROJECT_ROOT
from tests.integration.conftest import Built


@pytest.fixture(scope="module")
def writable(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample warehouse: `dbt test` opens its database read-write, and the shared sample is read by
    the other xdist worker at the same time (tests/integration/conftest.py, fixture built)."""
    copy = tmp_path_factory.mktemp("unit_tests") / "warehouse.duckdb"
    shutil.copyfile(built.warehouse, copy)
    return copy


def test_every_dbt_unit_test_passes(writable: Path, tmp_path: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "SALES_WAREHOUSE": str(writable), "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project")}
    result = subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--target-path", str(tmp_path / "target")],
        cwd=PROJECT_ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = re.search(r"PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", result.stdout)
    assert result.returncode == 0 and summary, result.stdout[-3000:]
    passed, _, errors, _ = map(int, summary.groups())
    assert errors == 0
    assert passed >= 38  # every unit test of the project (staging, intermediate, marts): 38 today


# Every setting the README invites users to change, away from its default (dbt_project.yml's vars).
CHANGED_VARS = (
    "{stale_days: 45, deal_size_small_max: 500, deal_size_large_min: 50000, lead_source_channels: {}, "
    "active_customer_days: 180, cohort_max_months: 12, clv_lifetime_cap_years: 5, clv_lookback_months: 6, "
    "status_on_track_min: 0.95, status_at_risk_min: 0.8, scorecard_grains: [month], as_of_date: '2026-05-31', "
    "timezone: Europe/Berlin, fiscal_year_start_month: 4}"
)


def test_unit_tests_pin_the_settings_they_depend_on(writable: Path, tmp_path: Path) -> None:
    """`dbt build --vars '{stale_days: 45}'` (the README's example) must not fail a unit test: each unit test sets
    every var its model reads (overrides: vars:), so a user's settings never change a hand-made expectation."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "SALES_WAREHOUSE": str(writable), "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project")}
    result = subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--vars", CHANGED_VARS, "--target-path", str(tmp_path / "t")],
        cwd=PROJECT_ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = re.search(r"PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", result.stdout)
    assert summary, result.stdout[-3000:]
    passed, _, errors, _ = map(int, summary.groups())
    failing = re.findall(r"Failure in unit_test (\S+)", re.sub(r"\x1b\[[0-9;]*m", "", result.stdout))
    assert (errors, result.returncode) == (0, 0), f"unit tests not pinning their vars: {failing}"
    assert passed >= 38
