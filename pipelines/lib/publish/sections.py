"""Freeze the data behind each dashboard section next to the KPI rows: sections/<name>.parquet.

The page and the workbook are rendered from these files only, so what a manager sees is exactly what was
published. A section whose mart does not exist (or lacks a column of its contract) is skipped: no file is
written, and the page says "not available in this publication".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

TREND_PERIODS = 13  # the published period and the twelve before it


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    mart: str
    columns: tuple[str, ...]
    description: str
    query: Callable[[str], str]  # columns → SQL with parameters $grain, $start, $end
    requires: tuple[str, ...] = ()  # further mart columns the query reads


def _trend(mart: str) -> Callable[[str], str]:
    return lambda cols: (
        f"select * from (select {cols} from marts.{mart} where grain = $grain and period_start <= $start "
        f"order by period_start desc limit {TREND_PERIODS}) order by period_start"
    )


def _in_period(mart: str, order: str) -> Callable[[str], str]:
    return lambda cols: (
        f"select {cols} from marts.{mart} where grain = $grain and period_start = $start order by {order}"
    )


PERIOD = ("period_start", "period_end")
WIN_RATES = ("win_rate", "win_rate_by_amount")  # by count, by amount: always shown together
SECTIONS: tuple[Section, ...] = (
    Section(
        "revenue_trend",
        "Revenue trend",
        "sales_by_period",
        (*PERIOD, "revenue", "revenue_last_year", "revenue_yoy_change_pct", "deals_won", *WIN_RATES),
        "Revenue of the published period and the twelve before it, against the same period one year earlier.",
        _trend("sales_by_period"),
    ),
    Section(
        "rep_performance",
        "Rep performance",
        "rep_performance",
        (
            "rep_id",
            "rep_name",
            "team",
            "region",
            "revenue",
            "quota",
            "quota_attainment",
            "deals_won",
            "deals_lost",
            *WIN_RATES,
            "avg_deal_size",
            "avg_sales_cycle_days",
        ),
        "Each rep's revenue against quota, win rate and sales cycle in the published period.",
        _in_period("rep_performance", "revenue desc, rep_name"),
    ),
    Section(
        "funnel_by_source",
        "Funnel by lead source",
        "funnel_by_source",
        (
            "lead_source",
            "leads_created",
            "leads_converted",
            "lead_conversion_rate",
            "opportunities_created",
            "deals_won",
            "deals_lost",
            *WIN_RATES,
            "revenue",
        ),
        "Leads and opportunities by lead source, and how they converted.",
        _in_period("funnel_by_source", "revenue desc, lead_source"),
    ),
    Section(
        "product_performance",
        "Product performance",
        "product_performance",
        (
            "product_id",
            "product_name",
            "product_family",
            "units",
            "revenue",
            "gross_margin",
            "gross_margin_pct",
            "deals_won",
        ),
        "Revenue and margin by product (deals without known products under 'unknown').",
        _in_period("product_performance", "revenue desc, product_name"),
    ),
    Section(
        "region_performance",
        "Region performance",
        "region_performance",
        ("region", "country", "revenue", "deals_won", "active_customers", "new_customers", "avg_deal_size", *WIN_RATES),
        "Revenue and customers by region and country.",
        _in_period("region_performance", "revenue desc, region, country"),
    ),
    Section(
        "customer_mix",
        "New vs returning customers",
        "sales_by_period",
        (*PERIOD, "new_customer_revenue", "returning_customer_revenue", "new_customers", "active_customers"),
        "Revenue from customers' first won deal against revenue from returning customers, by period.",
        _trend("sales_by_period"),
    ),
    Section(
        "customer_retention",
        "Customer retention",
        "customer_retention",
        (
            *PERIOD,
            "customers_prior",
            "customers_active",
            "customers_retained",
            "new_customers",
            "reactivated_customers",
            "retention_rate",
            "churn_rate",
        ),
        "Customers active in the previous period who bought again in this one. Churn is the rest: customers who "
        "buy every few months count as churned in the months between, so monthly churn runs high; it measures "
        "repeat buying, not accounts lost for good.",
        _trend("customer_retention"),
    ),
    Section(
        "cohort_retention",
        "Cohort retention",
        "cohort_retention",
        (
            "cohort_month",
            "months_since_first_purchase",
            "cohort_size",
            "active_customers",
            "retention_rate",
            "cohort_revenue",
            "cumulative_revenue_per_customer",
        ),
        "Monthly cohorts of first purchase (the twelve up to the period end): share still buying n months on.",
        lambda cols: (
            f"select {cols} from marts.cohort_retention "
            "where cohort_month > $end - interval 12 month and cohort_month <= $end "
            "and cohort_month + to_months(cast(months_since_first_purchase as integer)) <= $end "
            "order by cohort_month, months_since_first_purchase"
        ),
    ),
    Section(
        "open_pipeline",
        "Open pipeline by stage",
        "pipeline_snapshot",
        (
            "stage",
            "open_opportunities",
            "open_amount",
            "weighted_amount",
            "stale_opportunities",
            "overdue_opportunities",
            "avg_age_days",
        ),
        "Opportunities open at the period end by stage, with stale (no stage change in 30 days) and overdue ones.",
        lambda cols: (
            "select stage, sum(open_opportunities) as open_opportunities, sum(open_amount) as open_amount, "
            "sum(weighted_amount) as weighted_amount, sum(stale_opportunities) as stale_opportunities, "
            "sum(overdue_opportunities) as overdue_opportunities, "
            "sum(avg_age_days * open_opportunities) / nullif(sum(open_opportunities), 0) as avg_age_days "
            "from marts.pipeline_snapshot where as_of_date = $end group by stage "
            "order by sum(weighted_amount) / nullif(sum(open_amount), 0), stage"
        ),
        requires=("as_of_date",),
    ),
)

# Without marts.pipeline_snapshot, the open pipeline comes from rep_performance (by rep, not by stage).
PIPELINE_BY_REP = Section(
    "open_pipeline",
    "Open pipeline by rep",
    "rep_performance",
    ("rep_name", "team", "open_opportunities", "open_pipeline_amount", "stale_opportunities", "overdue_opportunities"),
    "Opportunities open at the period end by rep, with stale and overdue ones (by stage: not available).",
    _in_period("rep_performance", "open_pipeline_amount desc, rep_name"),
)

# Every mart the sections read (fallback included): with the scorecard, the publish assets' upstream in Dagster.
SECTION_MARTS: tuple[str, ...] = tuple(dict.fromkeys(s.mart for s in (*SECTIONS, PIPELINE_BY_REP)))


def mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return found


def resolve(section: Section, available: dict[str, set[str]]) -> Section | None:
    """The section to freeze (or its fallback), or None when its mart or a contract column is missing."""
    candidates = (section, PIPELINE_BY_REP) if section.name == "open_pipeline" else (section,)
    for candidate in candidates:
        if {*candidate.columns, *candidate.requires} <= available.get(candidate.mart, set()):
            return candidate
    return None


def write_sections(con: duckdb.DuckDBPyConnection, folder: Path, grain: str, start: date, end: date) -> dict[str, str]:
    """Write sections/<name>.parquet for every section whose mart exists; returns name → title written."""
    folder.mkdir(parents=True, exist_ok=True)
    available = mart_columns(con)
    written: dict[str, str] = {}
    for wanted in SECTIONS:
        section = resolve(wanted, available)
        if section is None:
            continue
        query = section.query(", ".join(section.columns))
        params = {k: v for k, v in {"grain": grain, "start": start, "end": end}.items() if f"${k}" in query}
        con.execute(f"copy ({query}) to '{folder / f'{section.name}.parquet'}' (format parquet)", params)
        written[section.name] = section.title
    return written
