"""The customer marts against figures recomputed straight from the sample's export files.

Recomputed here, without the project's models (plain DuckDB SQL over Opportunity.csv, Account.csv,
OpportunityLineItem.csv and Product2.csv, then Python sets):
- customer_retention (month grain): customers_prior, customers_active, customers_retained, retention_rate
  and new_customers of every month;
- cohort_retention: the size of every cohort and its month-1 retention and month-0 revenue;
- customer_value: each account's deals won, lifetime revenue (to the cent), first/last purchase and
  is_active, and the company churn, gross margin and predicted CLV of the largest accounts;
- segment_performance (month grain): revenue and deals won per segment x industry x month.
A customer of a month is an account with a won deal (StageName 'Closed Won', any case) closed in it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.integration.conftest import SAMPLE_END, Built

DBT_VARS = yaml.safe_load((Path(__file__).parents[2] / "dbt_project" / "dbt_project.yml").read_text())["vars"]

WON_DEALS = """
select
    trim("Id") as opportunity_id,
    trim("AccountId") as account_id,
    cast("CloseDate" as date) as close_date,
    cast("Amount" as decimal(18, 2)) as amount
from read_csv(?, all_varchar = true, header = true)
where lower(trim("StageName")) = 'closed won'
"""

# Each won deal with its account's segment and industry ('unknown' when blank or the account is missing).
WON_DEALS_BY_SEGMENT = f"""
with won as ({WON_DEALS}),
accounts as (
    select
        trim("Id") as account_id,
        nullif(trim("Segment__c"), '') as segment,
        nullif(trim("Industry"), '') as industry
    from read_csv(?, all_varchar = true, header = true)
)
select
    cast(date_trunc('month', won.close_date) as date) as month,
    coalesce(accounts.segment, 'unknown') as segment,
    coalesce(accounts.industry, 'unknown') as industry,
    sum(won.amount) as revenue,
    count(*) as deals_won
from won
left join accounts on won.account_id = accounts.account_id
group by all
"""

# Cost of goods sold of each won deal: line quantity x product unit cost, rounded per line; lines of
# products without a unit cost have no known cost.
DEAL_COSTS = """
with lines as (select * from read_csv(?, all_varchar = true, header = true)),
products as (select * from read_csv(?, all_varchar = true, header = true))
select
    trim(lines."OpportunityId") as opportunity_id,
    sum(round(cast(lines."Quantity" as decimal(18, 4)) * cast(products."Unit_Cost__c" as decimal(18, 4)), 2)) as cost
from lines
inner join products on trim(lines."Product2Id") = trim(products."Id")
where nullif(trim(products."Unit_Cost__c"), '') is not null
group by 1
"""


def previous_month(month_start: date) -> date:
    return (month_start - timedelta(days=1)).replace(day=1)


def next_month(month_start: date) -> date:
    return (month_start + timedelta(days=32)).replace(day=1)


@pytest.fixture(scope="module")
def won_deals(built: Built) -> list[tuple[str, str, date, Decimal]]:
    with duckdb.connect() as con:
        return con.execute(WON_DEALS, [str(built.export_dir / "Opportunity.csv")]).fetchall()


@pytest.fixture(scope="module")
def customers_by_month(won_deals: list[tuple[str, str, date, Decimal]]) -> dict[date, set[str]]:
    months: dict[date, set[str]] = defaultdict(set)
    for _, account_id, close_date, _ in won_deals:
        months[close_date.replace(day=1)].add(account_id)
    return months


@pytest.fixture(scope="module")
def first_month(won_deals: list[tuple[str, str, date, Decimal]]) -> dict[str, date]:
    first: dict[str, date] = {}
    for _, account_id, close_date, _ in won_deals:
        month = close_date.replace(day=1)
        first[account_id] = min(first.get(account_id, month), month)
    return first


def mart(built: Built, sql: str) -> list[tuple]:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_monthly_retention_matches_the_export(
    built: Built, customers_by_month: dict[date, set[str]], first_month: dict[str, date]
) -> None:
    rows = mart(
        built,
        "select period_start, customers_prior, customers_active, customers_retained, retention_rate, new_customers "
        "from marts.customer_retention where grain = 'month' order by period_start",
    )
    assert set(customers_by_month) <= {row[0] for row in rows}, "every month with a sale has a row"
    checked_rates = 0
    for month, prior, active, retained, rate, new in rows:
        now = customers_by_month.get(month, set())
        before = customers_by_month.get(previous_month(month), set())
        expected_new = sum(1 for first in first_month.values() if first == month)
        assert (prior, active, retained, new) == (len(before), len(now), len(now & before), expected_new), month
        if before:
            assert rate == pytest.approx(len(now & before) / len(before), abs=1e-12), month
            checked_rates += 1
        else:
            assert rate is None, f"{month}: no prior customers, retention must be NULL"
    assert checked_rates >= 30
    assert sum(row[5] for row in rows) == len(first_month), "every customer is new exactly once"


def test_cohort_sizes_and_month_1_retention(
    built: Built,
    won_deals: list[tuple[str, str, date, Decimal]],
    customers_by_month: dict[date, set[str]],
    first_month: dict[str, date],
) -> None:
    rows = mart(
        built,
        "select cohort_month, months_since_first_purchase, cohort_size, active_customers, retention_rate, "
        "cohort_revenue from marts.cohort_retention where months_since_first_purchase <= 1",
    )
    cohorts: dict[date, set[str]] = defaultdict(set)
    for account_id, month in first_month.items():
        cohorts[month].add(account_id)
    month_0_revenue: dict[date, Decimal] = defaultdict(Decimal)
    for _, account_id, close_date, amount in won_deals:
        if close_date.replace(day=1) == first_month[account_id]:
            month_0_revenue[first_month[account_id]] += amount

    by_key = {(row[0], row[1]): row[2:] for row in rows}
    assert {key[0] for key in by_key} == set(cohorts)
    month_1_checked = 0
    for cohort_month, accounts in cohorts.items():
        size, active, rate, revenue = by_key[(cohort_month, 0)]
        assert (size, active, rate, revenue) == (len(accounts), len(accounts), 1.0, month_0_revenue[cohort_month])
        if next_month(cohort_month) <= SAMPLE_END:
            back = accounts & customers_by_month.get(next_month(cohort_month), set())
            size, active, rate, _ = by_key[(cohort_month, 1)]
            assert (size, active) == (len(accounts), len(back)), cohort_month
            assert rate == pytest.approx(len(back) / len(accounts), abs=1e-12)
            month_1_checked += 1
    assert month_1_checked >= 30
    assert any(active > 0 for (_, months), (_, active, _, _) in by_key.items() if months == 1)


def test_lifetime_values_per_account(built: Built, won_deals: list[tuple[str, str, date, Decimal]]) -> None:
    deals: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for _, account_id, close_date, amount in won_deals:
        deals[account_id].append((close_date, amount))
    rows = mart(
        built,
        "select account_id, deals_won, lifetime_revenue, first_purchase_date, last_purchase_date, is_active, "
        "as_of_date from marts.customer_value",
    )
    assert len(rows) == len(deals), "one row per account with a won deal"
    active_after = SAMPLE_END - timedelta(days=DBT_VARS["active_customer_days"])
    for account_id, deals_won, revenue, first, last, is_active, as_of in rows:
        closes = [close for close, _ in deals[account_id]]
        assert as_of == SAMPLE_END
        assert deals_won == len(closes), account_id
        assert revenue == sum(amount for _, amount in deals[account_id]), account_id
        assert (first, last) == (min(closes), max(closes)), account_id
        assert is_active == (max(closes) > active_after), account_id
    assert sum(row[2] for row in rows) == sum(deal[3] for deal in won_deals)


def test_predicted_clv_of_the_largest_accounts(built: Built, won_deals: list[tuple[str, str, date, Decimal]]) -> None:
    assert DBT_VARS["clv_lookback_months"] == 12, "this test recomputes 12-month windows"
    lookback_after = SAMPLE_END.replace(year=SAMPLE_END.year - 1)
    prior_after = SAMPLE_END.replace(year=SAMPLE_END.year - 2)
    with duckdb.connect() as con:
        files = [str(built.export_dir / name) for name in ("OpportunityLineItem.csv", "Product2.csv")]
        costs = dict(con.execute(DEAL_COSTS, files).fetchall())
    in_lookback = [deal for deal in won_deals if lookback_after < deal[2] <= SAMPLE_END]
    revenue = sum(deal[3] for deal in in_lookback)
    cost = sum(costs[deal[0]] for deal in in_lookback if deal[0] in costs)
    margin_pct = float((revenue - cost) / revenue)
    customers_now = {deal[1] for deal in in_lookback}
    customers_before = {deal[1] for deal in won_deals if prior_after < deal[2] <= lookback_after}
    churn = 1 - len(customers_before & customers_now) / len(customers_before)
    lifetime = min(DBT_VARS["clv_lifetime_cap_years"], 1 / churn) if churn > 0 else DBT_VARS["clv_lifetime_cap_years"]

    rows = mart(
        built,
        "select account_id, avg_deal_size, deals_won_in_lookback, company_gross_margin_pct, "
        "company_annual_churn_rate, clv_basis, predicted_clv from marts.customer_value "
        "order by predicted_clv desc, account_id limit 5",
    )
    for account_id, avg_deal_size, deals_in_lookback, mart_margin, mart_churn, basis, clv in rows:
        account_deals = [deal[3] for deal in won_deals if deal[1] == account_id]
        mean = sum(account_deals) / len(account_deals)
        assert avg_deal_size == mean.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), account_id
        assert deals_in_lookback == sum(1 for deal in in_lookback if deal[1] == account_id)
        assert mart_margin == pytest.approx(margin_pct, abs=1e-9)
        assert mart_churn == pytest.approx(churn, abs=1e-12)
        assert basis == "gross_margin"
        expected = float(avg_deal_size) * deals_in_lookback * margin_pct * lifetime
        assert float(clv) == pytest.approx(expected, abs=0.01), account_id


def test_segment_revenue_per_month(built: Built) -> None:
    with duckdb.connect() as con:
        files = [str(built.export_dir / name) for name in ("Opportunity.csv", "Account.csv")]
        expected = {row[:3]: row[3:] for row in con.execute(WON_DEALS_BY_SEGMENT, files).fetchall()}
    rows = mart(
        built,
        "select period_start, segment, industry, revenue, deals_won from marts.segment_performance "
        "where grain = 'month'",
    )
    found = {row[:3]: row[3:] for row in rows}
    assert any(key[2] == "unknown" for key in expected), "the sample has accounts without an industry"
    for key, (revenue, deals_won) in expected.items():
        assert found[key] == (revenue, deals_won), key
    for key in set(found) - set(expected):
        assert found[key] == (0, 0), f"{key} has no won deal in the export"
    segments = {key[1:] for key in found}
    months = {key[0] for key in found}
    assert len(found) == len(segments) * len(months), "every segment x industry in every month"
