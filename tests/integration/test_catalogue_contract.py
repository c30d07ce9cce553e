"""Every mart docs/metrics.md adds beyond the first five carries its named columns and grains on the sample,
and the scorecard has company, team and rep rows with targets and statuses."""

from __future__ import annotations

import duckdb
import pytest

from tests.integration.conftest import Built

PERIOD = ["grain", "period_start", "period_end"]
ALL_GRAINS = {"day", "week", "month", "quarter", "year"}
REQUIRED: dict[str, tuple[list[str], set[str] | None]] = {
    "segment_performance": (
        PERIOD
        + ["segment", "industry", "revenue", "deals_won", "active_customers", "new_customers", "avg_deal_size"]
        + ["lost_amount", "win_rate", "win_rate_by_amount"],
        ALL_GRAINS,
    ),
    "campaign_performance": (
        PERIOD
        + ["campaign_id", "campaign_name", "channel", "spend", "leads", "opportunities", "deals_won", "revenue"]
        + ["cost_per_sale", "roi"],
        ALL_GRAINS,
    ),
    "customer_retention": (
        PERIOD
        + ["customers_prior", "customers_active", "customers_retained", "new_customers", "reactivated_customers"]
        + ["retention_rate", "churn_rate"],
        ALL_GRAINS,
    ),
    "cohort_retention": (
        ["cohort_month", "months_since_first_purchase", "cohort_size", "active_customers", "retention_rate"]
        + ["cohort_revenue", "cumulative_revenue_per_customer"],
        None,
    ),
    "customer_value": (
        ["first_purchase_date", "last_purchase_date", "deals_won", "lifetime_revenue", "lifetime_gross_margin"]
        + ["avg_deal_size", "is_active", "predicted_clv"],
        None,
    ),
    "acquisition_cost": (
        PERIOD + ["channel", "marketing_spend", "new_customers", "cac", "new_customer_revenue", "roi"],
        {"month", "quarter", "year"},
    ),
    "unit_economics": (
        PERIOD + ["historical_clv", "predicted_clv", "clv_basis", "cac", "ltv_to_cac", "cac_payback_months"],
        {"month", "quarter", "year"},
    ),
    "pipeline_snapshot": (
        ["as_of_date", "rep_id", "stage", "open_opportunities", "open_amount", "weighted_amount"]
        + ["stale_opportunities", "overdue_opportunities", "avg_age_days", "pipeline_coverage"],
        None,
    ),
    "stage_velocity": (
        ["stage", "opportunities_entered", "avg_days_in_stage", "median_days_in_stage", "conversion_to_next_stage"],
        None,
    ),
    "kpi_scorecard": (
        PERIOD
        + ["scope", "scope_id", "kpi", "actual", "target", "attainment", "prior_value", "change_pct", "status"]
        + ["benchmark"],
        {"week", "month", "quarter", "year"},
    ),
}


@pytest.mark.parametrize("mart", sorted(REQUIRED))
def test_mart_has_its_metrics_md_columns_and_grains(built: Built, mart: str) -> None:
    columns, grains = REQUIRED[mart]
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        present = [row[0] for row in con.execute(f"describe marts.{mart}").fetchall()]
        rows = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        found = {r[0] for r in con.execute(f"select distinct grain from marts.{mart}").fetchall()} if grains else None
    assert [c for c in columns if c not in present] == []
    assert rows > 0
    assert found == grains


def test_scorecard_has_every_scope_with_targets_and_statuses(built: Built) -> None:
    """May 2026, a closed month of the sample: company, 4 teams and every rep with a quota, judged."""
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        rows = con.execute(
            """select scope, count(distinct scope_id), count(target), count(status), count(benchmark)
               from marts.kpi_scorecard
               where grain = 'month' and period_start = date '2026-05-01'
               group by scope order by scope"""
        ).fetchall()
        statuses = {r[0] for r in con.execute("select distinct status from marts.kpi_scorecard").fetchall()}
    by_scope = {r[0]: r[1:] for r in rows}
    assert set(by_scope) == {"company", "team", "rep"}
    assert by_scope["company"][0] == 1 and by_scope["team"][0] == 4 and by_scope["rep"][0] >= 10
    for scope, (_, targets, judged, benchmarks) in by_scope.items():
        assert targets > 0 and judged == targets and benchmarks > 0, scope
    assert statuses == {"on_track", "at_risk", "off_track", None}
