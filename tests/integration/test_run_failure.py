"""The paragraph `salesmetrics run` prints for a failed run names the stage where it truly stopped."""

from __future__ import annotations

from pathlib import Path

from pipelines.cli import run_failure_paragraph
from pipelines.cli.runner import RunFailed

LOG = Path("/wh/logs/run-20261204T120000.log")


def test_a_rejected_file_stops_the_run_before_transform() -> None:
    text = run_failure_paragraph(RunFailed("x.csv was rejected: …", stage="audit"), LOG)
    assert text.startswith("The run stopped at audit, before transform. x.csv was rejected: …")
    assert "marts are as they were" in text and str(LOG) in text


def test_a_dbt_test_failure_is_during_transform_and_names_both_logs() -> None:
    failure = RunFailed(
        "dbt test t on m failed. This is a bug in salesmetrics, not in your data …",
        stage="transform",
        dbt_nodes=(("test", "t", "m"),),
        dbt_log="/target/dbt.log",
    )
    text = run_failure_paragraph(failure, LOG)
    assert text.startswith("The run stopped during transform. dbt test t on m failed.")
    assert "before transform" not in text and "Fix or replace the file" not in text
    assert "the marts are as they were (a build replaces them whole" in text  # not "downstream … not rebuilt"
    assert text.endswith(f"(Run log: {LOG}; dbt's log: /target/dbt.log.)")


def test_another_transform_failure_claims_nothing_it_does_not_know() -> None:
    text = run_failure_paragraph(RunFailed("database is locked", stage="transform"), LOG)
    assert text == f"The run stopped during transform. database is locked (Run log: {LOG}.)"
    text = run_failure_paragraph(RunFailed("something odd"), LOG)
    assert text == f"The run stopped. something odd (Run log: {LOG}.)"


def test_a_dbt_test_that_only_warns_is_not_named_as_a_failure() -> None:
    import dagster as dg

    from pipelines.cli.runner import _failure

    @dg.asset(
        group_name="transform",
        check_specs=[dg.AssetCheckSpec("warns", asset="model"), dg.AssetCheckSpec("fails", asset="model")],
    )
    def model():  # a generator asset standing in for the dbt build
        yield dg.AssetCheckResult(check_name="warns", passed=False, severity=dg.AssetCheckSeverity.WARN)
        yield dg.AssetCheckResult(check_name="fails", passed=False)
        raise RuntimeError("dbt build failed")

    with dg.instance_for_test() as instance:  # events are read while the run's instance is alive
        failure = _failure(dg.materialize([model], instance=instance, raise_on_error=False))
    assert failure.stage == "transform"
    assert [name for _kind, name, _model in failure.dbt_nodes] == ["fails"]


def test_a_dbt_test_failure_in_any_layer_group_is_during_transform() -> None:
    import dagster as dg

    from pipelines.cli.runner import _failure

    # dbt models are grouped by their layer in the UI (staging, history, intermediate, marts)
    @dg.multi_asset(
        specs=[
            dg.AssetSpec("stg", group_name="staging", kinds={"dbt"}),
            dg.AssetSpec("mart", group_name="marts", kinds={"dbt"}),
        ],
        check_specs=[dg.AssetCheckSpec("not_null_mart_id", asset="mart")],
    )
    def dbt_models():  # a generator multi-asset standing in for the dbt build
        yield dg.AssetCheckResult(asset_key="mart", check_name="not_null_mart_id", passed=False)
        raise RuntimeError("dbt build failed")

    with dg.instance_for_test() as instance:
        failure = _failure(dg.materialize([dbt_models], instance=instance, raise_on_error=False))
    assert failure.stage == "transform"
    assert failure.dbt_nodes == (("test", "not_null_mart_id", "mart"),)
