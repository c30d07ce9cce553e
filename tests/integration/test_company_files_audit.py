"""The company's own files (targets.csv, benchmarks.csv, fixed_costs.csv) never fail a dbt test.

Beside a small sample export, mistakes a person makes when writing these files by hand: the same target twice
(written the same or differently: `2026-4-1`, a time of day, a company target with a scope_id), a benchmark
twice, a fixed-cost period twice, a team target without its team, a target for an unknown KPI or rep. A second
targets.csv in a later export folder restates some targets. The run succeeds; every duplicate line is
quarantined with its rule and the other line; the targets that remain (the later file's where both name the
same target) are the ones in marts.kpi_scorecard.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import RunFailed, refresh_warehouse
from pipelines.lib.sample import generate
from tests.integration.conftest import SAMPLE_END, export_root, restored_env

# Small files: a few bad lines are a large share of them; the later targets.csv restates two targets only
CONFIG = "audit:\n  quarantine_max_share: 0.5\n  row_count_min_ratio: 0\n"


@dataclass(frozen=True)
class Run:
    export_dir: Path
    warehouse: Path
    failure: str | None
    sample_lines: dict[str, int]  # file stem -> lines in the sample's file, header included
    rep_id: str

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def append(path: Path, lines: list[str]) -> int:
    """Append lines to a CSV; returns the line number of the first one."""
    first = len(path.read_text(encoding="utf-8").splitlines()) + 1
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)
    return first


def sample_line(path: Path, **match: str) -> int:
    """The line number (header = 1) of the sample row whose columns equal match."""
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if all(row[k] == v for k, v in match.items()):
                return number
    raise AssertionError(f"no row {match} in {path}")


@pytest.fixture(scope="module")
def config_env(isolated_env: None) -> Iterator[None]:
    with restored_env("SALES_CONFIG"):
        yield


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, config_env: None) -> Run:
    root = tmp_path_factory.mktemp("company_files")
    inbox = root / "inbox"
    export_dir = inbox / "salesforce" / SAMPLE_END.isoformat()
    generate(export_dir, scale=400, seed=11, end_date=SAMPLE_END)
    with (export_dir / "User.csv").open(encoding="utf-8", newline="") as handle:
        rep_id = next(csv.DictReader(handle))["Id"]
    lines = {
        s: len((export_dir / f"{s}.csv").read_text().splitlines()) for s in ("targets", "benchmarks", "fixed_costs")
    }
    append(
        export_dir / "targets.csv",
        [
            "win_rate,company,,month,2026-03-01,0.40,",  # the sample's March win-rate target again
            "win_rate,company,,month,2026-4-1,0.45,",  # April's, the date written differently
            "new_customers,company,Acme,month,2026-05-01,99,",  # a company has no scope_id: May's again
            "revenue,team,,quarter,2026-04-01,1000,",  # a team target without its team
            "happiness,company,,month,2026-05-01,5,",  # a KPI the scorecard does not have: ignored
            "revenue,rep,NO-SUCH-REP,month,2026-05-01,1000,",  # a rep that does not exist: ignored
            f"revenue,rep,{rep_id},month,2026-05-01,54321.00,",  # a rep's own target: beats the quota
            f"Avg_Sales_Cycle_Days, Rep ,{rep_id}, Month ,2026-05-01,40,",  # case and spaces do not matter
        ],
    )
    append(
        export_dir / "benchmarks.csv",
        [
            "win_rate,,0.25,Another survey",  # the sample's win-rate benchmark again
            "happiness,,1,Nobody measures this",  # unknown KPI: ignored
        ],
    )
    append(
        export_dir / "fixed_costs.csv",
        [
            "2026-05-01,2026-05-31,999.00,Rent",  # May again (one line per period: add them up)
            "2026-04-01T00:00:00,2026-04-30,999.00,Rent",  # April again, written differently
        ],
    )
    # A later export of the targets: it restates May's and June's win-rate targets (June with a time of day)
    later = inbox / "salesforce" / "2026-07-01"
    later.mkdir(parents=True)
    (later / "targets.csv").write_text(
        "kpi,scope,scope_id,grain,period_start,target_value,growth_rate\n"
        "win_rate,company,,month,2026-05-01,0.50,\n"
        "win_rate,company,,month,2026-06-01 00:00:00,0.55,\n",
        encoding="utf-8",
    )
    (root / "salesmetrics.yml").write_text(CONFIG)
    os.environ["SALES_CONFIG"] = str(root / "salesmetrics.yml")
    paths = export_root(root)
    try:
        refresh_warehouse()
    except RunFailed as failure:
        return Run(export_dir, paths.warehouse, str(failure), lines, rep_id)
    return Run(export_dir, paths.warehouse, None, lines, rep_id)


def quarantined(run: Run, table: str) -> list[tuple[str, int, str, str]]:
    return run.query(
        f"select regexp_extract(_source_file, '[^/]+$'), _source_line, rule, offending_value "
        f"from quarantine.{table} order by 2, 3"
    )


def company_month(run: Run, kpi: str, start: date) -> tuple:
    rows = run.query(
        "select actual, target, target_source, benchmark from marts.kpi_scorecard "
        "where grain = 'month' and scope = 'company' and kpi = ? and period_start = ?",
        [kpi, start],
    )
    assert len(rows) == 1, (kpi, start, rows)
    return rows[0]


def test_the_run_succeeds(run: Run) -> None:
    assert run.failure is None


def test_duplicate_targets_are_quarantined_with_the_other_line(run: Run) -> None:
    targets = run.export_dir / "targets.csv"
    march = sample_line(targets, kpi="win_rate", period_start="2026-03-01")
    april = sample_line(targets, kpi="win_rate", period_start="2026-04-01")
    may = sample_line(targets, kpi="new_customers", period_start="2026-05-01")
    first = run.sample_lines["targets"] + 1
    rule = "kpi__unique_per_scope_scope_id_grain_period_start"
    assert quarantined(run, "files__targets") == sorted(
        [
            ("targets.csv", march, rule, f"win_rate company month 2026-03-01 (also line {first})"),
            ("targets.csv", first, rule, f"win_rate company month 2026-03-01 (also line {march})"),
            ("targets.csv", april, rule, f"win_rate company month 2026-04-01 (also line {first + 1})"),
            ("targets.csv", first + 1, rule, f"win_rate company month 2026-04-01 (also line {april})"),
            ("targets.csv", may, rule, f"new_customers company month 2026-05-01 (also line {first + 2})"),
            ("targets.csv", first + 2, rule, f"new_customers company month 2026-05-01 (also line {may})"),
            ("targets.csv", first + 3, "scope_id__not_null_when_team_or_rep", "team"),
        ],
        key=lambda r: (r[1], r[2]),
    )


def test_duplicate_benchmarks_and_fixed_costs_are_quarantined_with_the_other_line(run: Run) -> None:
    benchmarks = run.export_dir / "benchmarks.csv"
    win_rate = sample_line(benchmarks, kpi="win_rate")
    first = run.sample_lines["benchmarks"] + 1
    assert quarantined(run, "files__benchmarks") == [
        ("benchmarks.csv", win_rate, "kpi__unique_per_grain", f"win_rate (also line {first})"),
        ("benchmarks.csv", first, "kpi__unique_per_grain", f"win_rate (also line {win_rate})"),
    ]
    costs = run.export_dir / "fixed_costs.csv"
    april = sample_line(costs, period_start="2026-04-01")
    may = sample_line(costs, period_start="2026-05-01")
    first = run.sample_lines["fixed_costs"] + 1
    rule = "period_start__unique_per_period_end"
    assert quarantined(run, "files__fixed_costs") == [
        ("fixed_costs.csv", april, rule, f"2026-04-01 2026-04-30 (also line {first + 1})"),
        ("fixed_costs.csv", may, rule, f"2026-05-01 2026-05-31 (also line {first})"),
        ("fixed_costs.csv", first, rule, f"2026-05-01 2026-05-31 (also line {may})"),
        ("fixed_costs.csv", first + 1, rule, f"2026-04-01 2026-04-30 (also line {april})"),
    ]


def test_the_remaining_targets_are_applied_the_later_file_s_where_both_name_one(run: Run) -> None:
    # quarantined on both lines: no target from the file (win rate and new customers have no rule target)
    for kpi, month in (("win_rate", 3), ("win_rate", 4), ("new_customers", 5)):
        assert company_month(run, kpi, date(2026, month, 1))[1:3] == (None, None), (kpi, month)
    # the later targets.csv restates May and June
    assert company_month(run, "win_rate", date(2026, 5, 1))[1:3] == (Decimal("0.500000"), "targets_file")
    assert company_month(run, "win_rate", date(2026, 6, 1))[1:3] == (Decimal("0.550000"), "targets_file")
    # untouched sample targets still apply
    assert company_month(run, "win_rate", date(2026, 2, 1))[1:3] == (Decimal("0.300000"), "targets_file")
    # the rep's own revenue target beats the quota; a case- and space-varied line is the same KPI, scope, grain
    assert run.query(
        "select kpi, target, target_source from marts.kpi_scorecard where grain = 'month' and scope = 'rep' "
        "and scope_id = ? and period_start = date '2026-05-01' and kpi in ('revenue', 'avg_sales_cycle_days') "
        "order by kpi",
        [run.rep_id],
    ) == [
        ("avg_sales_cycle_days", Decimal("40.000000"), "targets_file"),
        ("revenue", Decimal("54321.000000"), "targets_file"),
    ]


def test_unknown_kpis_and_scopes_are_accepted_and_ignored(run: Run) -> None:
    assert run.query(
        "select kpi, scope, scope_id from staging.stg_files__targets "
        "where kpi = 'happiness' or scope_id = 'NO-SUCH-REP' order by 1"
    ) == [("happiness", "company", None), ("revenue", "rep", "NO-SUCH-REP")]
    assert run.query(
        "select count(*) from marts.kpi_scorecard where kpi = 'happiness' or scope_id = 'NO-SUCH-REP'"
    ) == [(0,)]
    assert run.query("select kpi from staging.stg_files__benchmarks where kpi = 'happiness'") == [("happiness",)]


def test_benchmarks_and_fixed_costs_that_remain_are_applied(run: Run) -> None:
    # the win-rate benchmark was quarantined on both lines; the others apply
    assert company_month(run, "win_rate", date(2026, 2, 1))[3] is None
    assert company_month(run, "avg_sales_cycle_days", date(2026, 2, 1))[3] == Decimal("84.000000")
    costs = dict(
        run.query(
            "select cast(period_start as date), cast(fixed_cost as decimal(18, 2)) "
            "from read_csv(?, all_varchar = true)",
            [str(run.export_dir / "fixed_costs.csv")],
        )
    )
    assert company_month(run, "fixed_costs", date(2026, 3, 1))[0] == costs[date(2026, 3, 1)]
    for month in (4, 5):  # quarantined on both lines: no fixed costs known for these months
        assert run.query(
            "select actual from marts.kpi_scorecard where grain = 'month' and scope = 'company' "
            "and kpi = 'fixed_costs' and period_start = ?",
            [date(2026, month, 1)],
        ) in ([], [(None,)])
