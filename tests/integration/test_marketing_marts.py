"""marts.acquisition_cost and marts.campaign_performance against figures computed straight from the export CSVs.

Nothing here reads the project's models: plain DuckDB SQL over Campaign.csv and Opportunity.csv recomputes
monthly marketing spend (each campaign's ActualCost spread evenly over StartDate..EndDate in millionths, the
sixth decimal of money, the leftover millionths one each to the first days), new customers (accounts by their
first won deal: earliest CloseDate, ties by Id) and CAC (spend / new customers, exact to six decimals, half
away from zero; never rounded to the cent in the warehouse), for channel `all` and for one
channel (lead sources and campaign types mapped through the lead_source_channels var of dbt_project.yml), and
one campaign's spend and won revenue in a month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import yaml

from tests.integration.conftest import Built

DBT_PROJECT_YML = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"
CHANNEL = "Advertisement"
MICRO = Decimal("0.000001")  # money in the marts: DECIMAL(38,6)
MICROS = Decimal(1_000_000)

# One row per campaign x month: the millionths of its ActualCost that fall on the month's days.
CAMPAIGN_SPEND_BY_MONTH = """
with campaigns as (
    select
        "Id" as campaign_id,
        "Type" as campaign_type,
        cast("StartDate" as date) as start_date,
        cast(coalesce("EndDate", "StartDate") as date) as end_date,
        cast(cast("ActualCost" as decimal(38, 6)) * 1000000 as hugeint) as cost_micros
    from read_csv(?, all_varchar = true, header = true)
    where "ActualCost" is not null and "StartDate" is not null
),
campaign_days as (
    select
        campaign_id,
        campaign_type,
        start_date,
        cost_micros,
        date_diff('day', start_date, end_date) + 1 as days,
        unnest(range(date_diff('day', start_date, end_date) + 1)) as day_index
    from campaigns
),
daily_micros as (
    select
        campaign_id,
        campaign_type,
        start_date + cast(day_index as integer) as spend_date,
        cost_micros // days + case when day_index < cost_micros % days then 1 else 0 end as micros
    from campaign_days
)
select campaign_id, campaign_type, cast(date_trunc('month', spend_date) as date) as month, sum(micros) as micros
from daily_micros
group by all
"""

# One row per customer (account): the month and lead source of its first won deal, and that deal's amount.
FIRST_WON_DEALS = """
with won as (
    select
        "Id" as id,
        "AccountId" as account_id,
        cast("CloseDate" as date) as close_date,
        cast("Amount" as decimal(18, 2)) as amount,
        coalesce(nullif(trim("LeadSource"), ''), 'unknown') as lead_source
    from read_csv(?, all_varchar = true, header = true)
    where lower("IsWon") = 'true' and "AccountId" is not null
)
select cast(date_trunc('month', close_date) as date) as month, lead_source, coalesce(amount, 0) as amount
from won
qualify row_number() over (partition by account_id order by close_date, id) = 1
"""

# Won revenue per campaign and close month (the sample's leads carry no campaign, so the opportunity's own).
CAMPAIGN_REVENUE_BY_MONTH = """
select
    "CampaignId" as campaign_id,
    cast(date_trunc('month', cast("CloseDate" as date)) as date) as month,
    count(*) as deals_won,
    sum(cast("Amount" as decimal(18, 2))) as revenue
from read_csv(?, all_varchar = true, header = true)
where lower("IsWon") = 'true' and "CampaignId" is not null
group by all
"""


def _channel_of(value: str) -> str:
    """lead_source_channels as dbt_project.yml sets it: trimmed, case-insensitive keys; identity otherwise."""
    mapping = yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]["lead_source_channels"] or {}
    lookup = {str(k).strip().lower(): str(v).strip() for k, v in mapping.items()}
    value = value.strip() or "unknown"
    return lookup.get(value.lower(), value)


def _half_up(amount: Decimal, count: int) -> Decimal | None:
    return (amount / count).quantize(MICRO, rounding=ROUND_HALF_UP) if count else None


def _expected_by_month(built: Built) -> tuple[dict, dict, list]:
    """(spend, new customers) per (channel, month) for `all` and CHANNEL, and the campaign spend rows."""
    with duckdb.connect() as con:
        spend_rows = con.execute(CAMPAIGN_SPEND_BY_MONTH, [str(built.export_dir / "Campaign.csv")]).fetchall()
        first_deals = con.execute(FIRST_WON_DEALS, [str(built.export_dir / "Opportunity.csv")]).fetchall()
    spend: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for _, campaign_type, month, micros in spend_rows:
        for channel in ("all", _channel_of(campaign_type or "")):
            spend[channel, month] += Decimal(micros) / MICROS
    customers: dict[tuple[str, date], list[Decimal]] = defaultdict(list)
    for month, lead_source, amount in first_deals:
        for channel in ("all", _channel_of(lead_source)):
            customers[channel, month].append(amount)
    return spend, customers, spend_rows


def test_monthly_spend_new_customers_and_cac_match_the_export(built: Built) -> None:
    spend, customers, spend_rows = _expected_by_month(built)
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        marts = con.execute(
            "select channel, period_start, marketing_spend, new_customers, cac, new_customer_revenue "
            "from marts.acquisition_cost where grain = 'month' and channel in (?, 'all')",
            [CHANNEL],
        ).fetchall()
    assert len(marts) >= 2 * 30, "about three years of months for two channels"

    checked_cac = 0
    for channel, month, m_spend, m_new, m_cac, m_revenue in marts:
        amounts = customers.get((channel, month), [])
        expected_spend = spend.get((channel, month), Decimal(0))
        assert m_spend == expected_spend, (channel, month)
        assert (m_new, m_revenue) == (len(amounts), sum(amounts, Decimal(0))), (channel, month)
        assert m_cac == _half_up(expected_spend, len(amounts)), (channel, month)
        checked_cac += m_cac is not None

    assert checked_cac >= 20, "CAC should be defined in most months of the sample"
    # Every millionth of every campaign is in some month: the months in the mart, or days after the data ends.
    mart_months = {month for channel, month, *_ in marts if channel == "all"}
    in_mart = sum(spend["all", m] for m in mart_months)
    after_data = sum(Decimal(c) / MICROS for _, _, month, c in spend_rows if month > max(mart_months))
    total_cost = sum(Decimal(c) / MICROS for *_, c in spend_rows)
    assert in_mart + after_data == total_cost and in_mart > 0


def test_one_campaign_month_matches_the_export(built: Built) -> None:
    """The campaign-month with spend that won the most revenue: its spend and revenue, exactly."""
    with duckdb.connect() as con:
        revenue_rows = con.execute(CAMPAIGN_REVENUE_BY_MONTH, [str(built.export_dir / "Opportunity.csv")]).fetchall()
        spend_rows = con.execute(CAMPAIGN_SPEND_BY_MONTH, [str(built.export_dir / "Campaign.csv")]).fetchall()
    spend = {(campaign_id, month): Decimal(micros) / MICROS for campaign_id, _, month, micros in spend_rows}
    with_spend = [row for row in revenue_rows if spend.get((row[0], row[1]), 0) > 0]
    assert with_spend, "some campaign should win deals in a month it spends in"
    campaign_id, month, deals_won, revenue = max(with_spend, key=lambda row: (row[3], row[0]))
    expected_spend = spend[campaign_id, month]
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        row = con.execute(
            "select spend, deals_won, revenue, cost_per_sale, roi from marts.campaign_performance "
            "where grain = 'month' and campaign_id = ? and period_start = ?",
            [campaign_id, month],
        ).fetchone()
    assert row is not None, f"{campaign_id} {month} missing from marts.campaign_performance"
    m_spend, m_won, m_revenue, m_cost_per_sale, m_roi = row
    assert (m_spend, m_won, m_revenue) == (expected_spend, deals_won, revenue)
    assert m_cost_per_sale == _half_up(expected_spend, deals_won)
    assert abs(Decimal(str(m_roi)) - (revenue - expected_spend) / expected_spend) < Decimal("1e-9")


# For one year: customers' lifetime revenue and count up to its end, and over the lookback window ending then
# the average deal, deals per buying customer, and churn (bought in the 12 months before the window, not in it).
CLV_INPUTS_FOR_PERIOD = """
with won as (
    select "AccountId" as account_id, cast("CloseDate" as date) as close_date,
        coalesce(cast("Amount" as decimal(18, 2)), 0) as amount
    from read_csv($path, all_varchar = true, header = true)
    where lower("IsWon") = 'true' and "AccountId" is not null
),
bounds as (
    select
        cast($period_end as date) as period_end,
        cast(cast($period_end as date) + interval 1 day - to_months($lookback) as date) as window_start,
        cast(cast($period_end as date) + interval 1 day - to_months($lookback + 12) as date) as prior_start
),
window_deals as (
    select won.* from won, bounds where close_date between window_start and period_end
),
prior_buyers as (
    select distinct account_id from won, bounds where close_date >= prior_start and close_date < window_start
)
select
    (select sum(amount) from won, bounds where close_date <= period_end) as lifetime_revenue,
    (select count(distinct account_id) from won, bounds where close_date <= period_end) as customers,
    (select sum(amount) from window_deals) as window_revenue,
    (select count(*) from window_deals) as window_deals,
    (select count(*) / count(distinct account_id) from window_deals) as deals_per_customer,
    (select count(*) from prior_buyers) as churn_base,
    (select count(*) from prior_buyers where account_id not in (select account_id from window_deals)) as churned
"""


def test_unit_economics_year_matches_the_export(built: Built) -> None:
    """Historical CLV, the window's average deal and purchase frequency, and churn for the year 2025."""
    lookback = int(yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]["clv_lookback_months"])
    with duckdb.connect() as con:
        lifetime, customers, window_revenue, window_deals, per_customer, base, churned = con.execute(
            CLV_INPUTS_FOR_PERIOD,
            {"path": str(built.export_dir / "Opportunity.csv"), "period_end": "2025-12-31", "lookback": lookback},
        ).fetchone()
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        row = con.execute(
            "select historical_clv, customers_acquired, avg_deal_size, annual_purchase_frequency, "
            "churn_base_customers, churned_customers, annual_churn_rate "
            "from marts.unit_economics where grain = 'year' and period_start = date '2025-01-01'"
        ).fetchone()
    assert row is not None, "year 2025 missing from marts.unit_economics"
    m_clv, m_customers, m_avg_deal, m_frequency, m_base, m_churned, m_churn = row
    assert m_customers == customers and m_clv == _half_up(lifetime, customers)
    assert m_avg_deal == _half_up(window_revenue, window_deals)
    assert abs(m_frequency - float(per_customer) * 12 / lookback) < 1e-9
    assert (m_base, m_churned) == (base, churned) and base > 0
    assert abs(m_churn - churned / base) < 1e-12
