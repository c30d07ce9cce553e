"""The benchmark's per-step table (benchmarks/stages.py dagster_steps) on a real Dagster instance."""

import sys
import time
from pathlib import Path

import dagster as dg

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from stages import dagster_steps  # noqa: E402


def test_a_run_that_started_no_job_has_no_steps(tmp_path):
    """Nothing new is decided before the job: the steps of the run before it must not be shown as its own (a bug:
    the nothing-new run's table repeated the full run's steps)."""

    @dg.asset
    def one() -> int:
        return 1

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert dg.materialize([one], instance=instance).success
    assert [step.name for step in dagster_steps(tmp_path)] == ["one"]
    assert dagster_steps(tmp_path, since=time.time() + 1) == []
