"""The rows a publication freezes: the KPI scorecard of one closed period, in long format.

``marts.kpi_scorecard`` (METRICS.md) is the source once it exists. Until then the scorecard is assembled
here from the marts that do exist (sales_by_period for the company, rep_performance for reps and teams),
without targets or statuses, and the manifest says so.
"""

from __future__ import annotations

from datetime import date

import duckdb

SCORECARD_COLUMNS = (
    "grain",
    "period_start",
    "period_end",
    "scope",
    "scope_id",
    "scope_name",
    "kpi",
    "actual",
    "target",
    "attainment",
    "prior_value",
    "change_pct",
    "status",
)

COMPANY_KPIS = (
    "revenue",
    "deals_won",
    "deals_lost",
    "win_rate",
    "avg_deal_size",
    "avg_sales_cycle_days",
    "new_customers",
    "new_customer_revenue",
    "active_customers",
    "opportunities_created",
    "pipeline_created_amount",
    "gross_margin",
    "gross_margin_pct",
)
REP_KPIS = (
    "revenue",
    "deals_won",
    "win_rate",
    "avg_deal_size",
    "quota",
    "quota_attainment",
    "open_opportunities",
    "open_pipeline_amount",
    "stale_opportunities",
    "overdue_opportunities",
)


def _long(source: str, scope: str, scope_id: str, scope_name: str, kpis: tuple[str, ...]) -> str:
    return "\nunion all\n".join(
        f"select grain, period_start, period_end, '{scope}' as scope, {scope_id} as scope_id, "
        f"{scope_name} as scope_name, '{kpi}' as kpi, cast({kpi} as decimal(38, 6)) as actual from {source}"
        for kpi in kpis
    )


TEAMS = """(
    select grain, period_start, period_end, team,
           sum(revenue) as revenue, sum(deals_won) as deals_won,
           sum(deals_won) / nullif(sum(deals_won + deals_lost), 0) as win_rate,
           sum(revenue) / nullif(sum(deals_won), 0) as avg_deal_size,
           sum(quota) as quota, sum(revenue) / nullif(sum(quota), 0) as quota_attainment,
           sum(open_opportunities) as open_opportunities, sum(open_pipeline_amount) as open_pipeline_amount,
           sum(stale_opportunities) as stale_opportunities, sum(overdue_opportunities) as overdue_opportunities
    from marts.rep_performance where team is not null group by all
)"""

INTERIM = f"""
with actuals as (
    {_long("marts.sales_by_period", "company", "'company'", "'Company'", COMPANY_KPIS)}
    union all
    {_long("marts.rep_performance", "rep", "rep_id", "rep_name", REP_KPIS)}
    union all
    {_long(TEAMS, "team", "team", "team", REP_KPIS)}
),
with_prior as (
    select *, lag(actual) over (partition by grain, scope, scope_id, kpi order by period_start) as prior_value
    from actuals
)
select grain, period_start, period_end, scope, scope_id, scope_name, kpi, actual,
       cast(null as decimal(38, 6)) as target, cast(null as double) as attainment, prior_value,
       case when prior_value <> 0 then cast((actual - prior_value) / abs(prior_value) as double) end as change_pct,
       cast(null as varchar) as status
from with_prior
"""


def has_full_scorecard(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'kpi_scorecard'"
        ).fetchone()[0]
    )


def scorecard_sql(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """The scorecard query and a note on where it comes from (for the manifest)."""
    if has_full_scorecard(con):
        columns = ", ".join(SCORECARD_COLUMNS)
        return f"select {columns} from marts.kpi_scorecard", "marts.kpi_scorecard"
    return INTERIM, (
        "interim scorecard assembled from marts.sales_by_period (company) and marts.rep_performance (reps, "
        "teams): marts.kpi_scorecard does not exist yet, so there are no targets, attainment or statuses"
    )


def period_rows_sql(con: duckdb.DuckDBPyConnection, grain: str, period_start: date) -> tuple[str, list, str]:
    query, source = scorecard_sql(con)
    return (
        f"select * from ({query}) where grain = ? and period_start = ? order by scope, scope_id, kpi",
        [grain, period_start],
        source,
    )
