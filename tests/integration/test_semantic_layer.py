"""The semantic layer answers as the marts do: `mf query` (MetricFlow, dbt_project/models/semantic/) on the sample
warehouse, compared with the marts for every month, for the rep, region x country and lead-source breakdowns,
and by quarter, so the metric definitions of the two can never drift apart.

Money agrees to a hundredth of a cent (MetricFlow sums the same DECIMAL(38,6) columns; its ratios are doubles,
the marts' rounded to six decimals; a month's quota is the sum of the day rows' prorated quotas, each kept to six
decimals), counts exactly, rates to 1e-8.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.settings import DBT_PROJECT_DIR
from tests.integration.conftest import Built

BIN = Path(sys.executable).parent
MONEY_TOLERANCE = Decimal("0.0001")
RATE_TOLERANCE = Decimal("0.00000001")
CLOSED_DEALS = ["revenue", "deals_won", "deals_lost", "lost_amount", "win_rate", "win_rate_by_amount", "avg_deal_size"]
RATES = {"win_rate", "win_rate_by_amount", "quota_attainment", "retention_rate"}
Query = Callable[[list[str], list[str]], dict[tuple, dict[str, Decimal | None]]]


@pytest.fixture(scope="module")
def mf_query(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Query:
    """Runs `mf query` on a copy of the dbt project parsed against the sample warehouse (the repository's target/
    is left alone), read-only (target `semantic`), and returns its rows keyed by the group-by values."""
    project = tmp_path_factory.mktemp("semantic") / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    env = {
        **os.environ,
        "SALES_WAREHOUSE": str(built.warehouse),
        "DBT_PROFILES_DIR": str(project),
        "DBT_TARGET": "semantic",
    }
    subprocess.run([BIN / "dbt", "parse", "--quiet"], cwd=project, env=env, check=True)

    def query(metrics: list[str], group_by: list[str]) -> dict[tuple, dict[str, Decimal | None]]:
        out = project / "answer.csv"
        command = [BIN / "mf", "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by)]
        done = subprocess.run([*command, "--csv", out], cwd=project, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        with out.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        return {
            (row[group_by[0]][:10], *(row[name] for name in group_by[1:])): {
                metric: Decimal(row[metric]) if row[metric] else None for metric in metrics
            }
            for row in rows
        }

    return query


def mart_rows(built: Built, sql: str, keys: int) -> dict[tuple, dict[str, Decimal | None]]:
    """Rows of ``sql`` on the warehouse keyed by their first ``keys`` columns (the first one a date)."""
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        cursor = con.execute(sql)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    return {
        (row[0].isoformat(), *row[1:keys]): {
            name: None if value is None else Decimal(str(value))
            for name, value in zip(names[keys:], row[keys:], strict=True)
        }
        for row in rows
    }


def assert_same(answers: dict, marts: dict, metrics: list[str]) -> int:
    """Every mart row's figures equal MetricFlow's (a missing MetricFlow row reads as zeros and NULLs); rows
    MetricFlow adds beyond the marts' calendar hold no closed deal. Returns the figures compared."""
    compared, months = 0, {key[0] for key in marts}
    for key, expected in marts.items():
        actual = answers.get(key, {})
        for metric in metrics:
            want, got = expected[metric], actual.get(metric)
            if want == 0 and got is None:
                got = Decimal(0)
            if want is None or got is None:
                assert want == got, f"{metric} at {key}: MetricFlow {got}, mart {want}"
            else:
                tolerance = RATE_TOLERANCE if metric in RATES else MONEY_TOLERANCE
                assert abs(got - want) <= tolerance, f"{metric} at {key}: MetricFlow {got}, mart {want}"
            compared += 1
    for key, actual in answers.items():
        if key[0] not in months:
            assert not actual.get("revenue") and not actual.get("deals_won"), f"closed deals outside the calendar {key}"
        else:
            assert key in marts, f"MetricFlow has a member the mart has not: {key}"
    return compared


def test_every_month_equals_the_marts(built: Built, mf_query: Query) -> None:
    sales = [
        *CLOSED_DEALS,
        "avg_sales_cycle_days",
        "opportunities_created",
        "pipeline_created_amount",
        "new_customers",
        "new_customer_revenue",
    ]
    marts = mart_rows(
        built,
        f"""select s.period_start, {", ".join(f"s.{m}" for m in sales)}, r.retention_rate, a.marketing_spend, a.cac
        from marts.sales_by_period s
        join marts.customer_retention r using (grain, period_start)
        join marts.acquisition_cost a using (grain, period_start)
        where s.grain = 'month' and a.channel = 'all' order by 1""",
        keys=1,
    )
    metrics = [*sales, "retention_rate", "marketing_spend", "cac"]
    answers = mf_query(metrics, ["metric_time__month"])
    assert len(marts) >= 36  # the calendar: about three years up to June 2026
    assert sum(row["revenue"] for row in marts.values()) == sum(a["revenue"] or 0 for a in answers.values())
    assert assert_same(answers, marts, metrics) == len(marts) * len(metrics)


def test_every_quarter_equals_the_marts(built: Built, mf_query: Query) -> None:
    marts = mart_rows(
        built,
        """select s.period_start, s.revenue, s.deals_won, s.win_rate, s.new_customers, a.marketing_spend, a.cac
        from marts.sales_by_period s join marts.acquisition_cost a using (grain, period_start)
        where s.grain = 'quarter' and a.channel = 'all'""",
        keys=1,
    )
    metrics = ["revenue", "deals_won", "win_rate", "new_customers", "marketing_spend", "cac"]
    assert len(marts) >= 12
    assert assert_same(mf_query(metrics, ["metric_time__quarter"]), marts, metrics) == len(marts) * len(metrics)


def test_rep_breakdown_equals_rep_performance(built: Built, mf_query: Query) -> None:
    metrics = [
        *CLOSED_DEALS,
        "avg_sales_cycle_days",
        "quota",
        "quota_attainment",
        "open_opportunities",
        "open_pipeline_amount",
    ]
    marts = mart_rows(
        built,
        f"select period_start, rep_id, {', '.join(metrics)} from marts.rep_performance where grain = 'month'",
        keys=2,
    )
    reps = {key[1] for key in marts}
    assert len(reps) > 5 and len(marts) == len({key[0] for key in marts}) * len(reps)
    assert assert_same(mf_query(metrics, ["metric_time__month", "rep"]), marts, metrics) == len(marts) * len(metrics)


def test_region_breakdown_equals_region_performance(built: Built, mf_query: Query) -> None:
    marts = mart_rows(
        built,
        f"""select period_start, region, country, {", ".join(CLOSED_DEALS)}
        from marts.region_performance where grain = 'month'""",
        keys=3,
    )
    answers = mf_query(CLOSED_DEALS, ["metric_time__month", "opportunity__region", "opportunity__country"])
    assert len({key[1:] for key in marts}) > 3
    assert assert_same(answers, marts, CLOSED_DEALS) == len(marts) * len(CLOSED_DEALS)


def test_lead_source_breakdown_equals_funnel_by_source(built: Built, mf_query: Query) -> None:
    metrics = [*CLOSED_DEALS[:6], "opportunities_created"]
    marts = mart_rows(
        built,
        f"select period_start, lead_source, {', '.join(metrics)} from marts.funnel_by_source where grain = 'month'",
        keys=2,
    )
    answers = mf_query(metrics, ["metric_time__month", "opportunity__lead_source"])
    assert len({key[1] for key in marts}) > 3
    assert assert_same(answers, marts, metrics) == len(marts) * len(metrics)
