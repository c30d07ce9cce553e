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


def test_the_analysts_copy_is_read_from_the_runs_log(tmp_path):
    """The copy is written inside the dbt step: the benchmark shows its seconds from the message the step logs."""
    from stages import analyst_copy_seconds

    @dg.asset
    def marts(context: dg.AssetExecutionContext) -> int:
        context.log.info("Marts swapped in whole: 29 tables.")
        context.log.info("Analysts' copy refreshed: 29 tables in 20.3 s.")
        return 1

    @dg.asset
    def nothing(context: dg.AssetExecutionContext) -> int:
        context.log.info("Nothing new since the last build.")
        return 1

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert dg.materialize([marts], instance=instance).success
    assert analyst_copy_seconds(tmp_path) == 20.3
    assert analyst_copy_seconds(tmp_path, since=time.time() + 1) is None
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert dg.materialize([nothing], instance=instance).success
    assert analyst_copy_seconds(tmp_path) is None
