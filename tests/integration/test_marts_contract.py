"""The five marts carry the columns docs/metrics.md names, and their invariants hold on the sample."""

from __future__ import annotations

import duckdb
import pytest

from tests.integration.conftest import Built

PERIOD = ["grain", "period_start", "period_end"]
REQUIRED_COLUMNS = {
    "sales_by_period": PERIOD
    + [
        "revenue",
        "deals_won",
        "deals_lost",
        "lost_amount",
        "win_rate",
        "win_rate_by_amount",
        "avg_deal_size",
        "avg_sales_cycle_days",
        "median_sales_cycle_days",
        "opportunities_created",
        "pipeline_created_amount",
        "new_customers",
        "new_customer_revenue",
        "returning_customer_revenue",
        "active_customers",
        "revenue_per_customer",
        "purchase_frequency",
        "gross_margin",
        "gross_margin_pct",
        "revenue_prior_period",
        "revenue_change_pct",
        "revenue_last_year",
        "revenue_yoy_change_pct",
    ],
    "rep_performance": PERIOD
    + [
        "rep_id",
        "rep_name",
        "manager_name",
        "team",
        "region",
        "org_as_of",
        "revenue",
        "deals_won",
        "deals_lost",
        "lost_amount",
        "win_rate",
        "win_rate_by_amount",
        "avg_deal_size",
        "avg_sales_cycle_days",
        "quota",
        "quota_attainment",
        "open_opportunities",
        "open_pipeline_amount",
        "stale_opportunities",
        "overdue_opportunities",
        "deals_won_small",
        "deals_won_medium",
        "deals_won_large",
    ],
    "funnel_by_source": PERIOD
    + [
        "lead_source",
        "leads_created",
        "leads_converted",
        "lead_conversion_rate",
        "opportunities_created",
        "deals_won",
        "deals_lost",
        "lost_amount",
        "win_rate",
        "win_rate_by_amount",
        "revenue",
    ],
    "product_performance": PERIOD
    + [
        "product_id",
        "product_name",
        "product_family",
        "units",
        "revenue",
        "cost",
        "gross_margin",
        "gross_margin_pct",
        "discount_amount",
        "deals_won",
    ],
    "region_performance": PERIOD
    + [
        "region",
        "country",
        "revenue",
        "deals_won",
        "active_customers",
        "new_customers",
        "avg_deal_size",
        "lost_amount",
        "win_rate",
        "win_rate_by_amount",
    ],
}


@pytest.mark.parametrize("mart", sorted(REQUIRED_COLUMNS))
def test_mart_has_contract_columns_and_rows(built: Built, mart: str) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        columns = [row[0] for row in con.execute(f"describe marts.{mart}").fetchall()]
        grains = {row[0] for row in con.execute(f"select distinct grain from marts.{mart}").fetchall()}
    missing = [c for c in REQUIRED_COLUMNS[mart] if c not in columns]
    assert missing == []
    assert grains == {"day", "week", "month", "quarter", "year"}


@pytest.mark.parametrize("mart", ["rep_performance", "product_performance", "funnel_by_source", "region_performance"])
def test_breakdowns_add_up_to_company_revenue(built: Built, mart: str) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        differences = con.execute(
            f"""
            select s.grain, s.period_start, s.revenue, sum(m.revenue) as parts
            from marts.sales_by_period s
            left join marts.{mart} m using (grain, period_start)
            group by all
            having s.revenue <> coalesce(sum(m.revenue), 0)
            """
        ).fetchall()
    assert differences == []


def test_money_is_exact_decimal(built: Built) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'sales_by_period'"
            ).fetchall()
        )
    for column in ["revenue", "lost_amount", "avg_deal_size", "new_customer_revenue", "pipeline_created_amount"]:
        assert types[column].startswith("DECIMAL"), (column, types[column])


def test_storage_format_is_readable_by_duckdb_1_0_and_later(built: Built) -> None:
    for path in (built.warehouse, built.warehouse.with_name("analytics.duckdb")):
        with duckdb.connect(str(path), read_only=True) as con:
            tags = con.execute(
                "select tags from duckdb_databases() where database_name = current_database()"
            ).fetchone()[0]
        assert tags["storage_version"] == "v1.0.0+", path
