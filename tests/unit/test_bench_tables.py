"""The benchmark's tables (benchmarks/stages.py) on made-up figures: ratios to the floor and stage totals."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from measure import Measured  # noqa: E402
from stages import Step, dbt_by_kind, run_table, stage_of, stage_table, step_table  # noqa: E402


def test_run_table_gives_each_command_its_ratio_to_the_floor():
    lines = run_table([("full run", Measured(50.0, 2048.0)), ("nothing new", Measured(2.5, 300.0))], Measured(10, 900))
    assert lines[1].split() == ["floor", "(bare", "DuckDB)", "10.0", "900", "1.00"]
    assert lines[2].split() == ["full", "run", "50.0", "2,048", "5.00"]
    assert lines[3].split() == ["nothing", "new", "2.5", "300", "0.25"]


def test_steps_are_summed_by_stage_and_the_rest_is_outside_steps():
    steps = [
        Step("raw__salesforce__opportunity", 4.0),
        Step("raw__salesforce__account", 1.0),
        Step("raw__salesforce__opportunity_salesforce__opportunity__passes_audit", 3.0),
        Step("sales_dbt_models", 30.0),
        Step("marts__kpi_scorecard_includes_newest_accepted_export", 0.5),
    ]
    assert stage_of(steps[2].name) == "audit"
    rows = {line.split()[0]: float(line.split()[-2]) for line in stage_table(steps, 40.0)}
    assert rows == {"ingest": 5.0, "audit": 3.0, "dbt": 30.0, "other": 0.5, "outside": 1.5}


def test_slowest_steps_first_and_dbt_nodes_by_kind():
    models = [Step("model fct_opportunities", 2.0), Step("test not_null_x", 0.5), Step("model dim_reps", 0.25)]
    assert [line.split()[1] for line in step_table(models, 2)] == ["fct_opportunities", "not_null_x"]
    assert [line.split() for line in dbt_by_kind(models)] == [["model", "2.2"], ["test", "0.5"]]


def test_dbt_times_are_the_measured_runs_own(tmp_path):
    """A test run in the same checkout writes its own build folder meanwhile: the run's folder is read, not the
    newest (a bug: the bench once printed a test run's models under the delta run)."""
    from stages import dbt_models

    def results(folder: str, seconds: float) -> None:
        (tmp_path / folder).mkdir()
        node = {"unique_id": "model.salesmetrics.fct_opportunities", "execution_time": seconds}
        (tmp_path / folder / "run_results.json").write_text(json.dumps({"results": [node]}))

    results("sales_dbt_models-0a1b2c3d-aaaaaaaaaaaa", 7.5)  # the measured run (id 0a1b2c3d-…)
    results("sales_dbt_models-99999999-bbbbbbbbbbbb", 0.1)  # another run's, written later
    assert dbt_models(tmp_path, 0, "0a1b2c3d-e5f6-7890-abcd-ef0123456789") == [Step("model fct_opportunities", 7.5)]


def test_the_floor_agreement_counts_a_month_whose_win_rate_alone_differs(tmp_path):
    """The independent check of the bench compares revenue to the cent, deals won and lost, and the win rate."""
    import duckdb
    from floor import marts_agree

    floor_db, warehouse = tmp_path / "floor.db", tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(floor_db)) as con:
        con.execute(
            "create table monthly_core as select * from (values (date '2026-05-01', 100.01::decimal(18, 2), 3, 1,"
            " 0.75), (date '2026-06-01', 50.00::decimal(18, 2), 1, 1, 0.5)) t(month, revenue, won, lost, win_rate)"
        )
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.sales_by_period as select * from (values ('month', date '2026-05-01',"
            " 100.01::decimal(38, 6), 3, 1, 0.75), ('month', date '2026-06-01', 50.00::decimal(38, 6), 1, 1, 0.4))"
            " t(grain, period_start, revenue, deals_won, deals_lost, win_rate)"
        )
    assert marts_agree(floor_db, warehouse) == (2, 1)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.sales_by_period set win_rate = 0.5 where period_start = date '2026-06-01'")
        con.execute("update marts.sales_by_period set revenue = 100.02 where period_start = date '2026-05-01'")
    assert marts_agree(floor_db, warehouse) == (2, 1)
