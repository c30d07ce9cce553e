"""marts.sales_by_period against numbers computed straight from the Opportunity.csv export."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from tests.integration.conftest import Built

# Independent of the project's models: a few lines of SQL over the raw export file.
MONTHLY_FROM_EXPORT = """
with opportunities as (
    select
        "Id" as id,
        "AccountId" as account_id,
        cast("CloseDate" as date) as close_date,
        cast("Amount" as decimal(18, 2)) as amount,
        lower("IsWon") = 'true' as is_won,
        lower("IsClosed") = 'true' as is_closed
    from read_csv(?, all_varchar = true, header = true)
),
first_won as (
    select date_trunc('month', min(close_date)) as month
    from opportunities where is_won group by account_id
),
new_by_month as (
    select month, count(*) as new_customers from first_won group by month
),
closed_by_month as (
    select
        date_trunc('month', close_date) as month,
        coalesce(sum(amount) filter (where is_won), 0) as revenue,
        count(*) filter (where is_won) as deals_won,
        count(*) filter (where is_closed and not is_won) as deals_lost,
        coalesce(sum(amount) filter (where is_closed and not is_won), 0) as lost_amount
    from opportunities
    where is_closed
    group by 1
)
select c.month, c.revenue, c.deals_won, c.deals_lost, coalesce(n.new_customers, 0) as new_customers, c.lost_amount
from closed_by_month c
left join new_by_month n using (month)
"""


def test_every_month_matches_the_export_to_the_cent(built: Built) -> None:
    with duckdb.connect() as con:
        expected = {
            row[0].date(): row[1:]
            for row in con.execute(MONTHLY_FROM_EXPORT, [str(built.export_dir / "Opportunity.csv")]).fetchall()
        }
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        marts = {
            row[0]: row[1:]
            for row in con.execute(
                "select period_start, revenue, deals_won, deals_lost, win_rate, new_customers, lost_amount, "
                "win_rate_by_amount from marts.sales_by_period where grain = 'month' order by period_start"
            ).fetchall()
        }

    assert len(expected) >= 30, "the sample should span about three years"
    total_revenue = Decimal(0)
    for month, (revenue, won, lost, new_customers, lost_amount) in expected.items():
        assert month in marts, f"{month} missing from marts.sales_by_period"
        m_revenue, m_won, m_lost, m_win_rate, m_new, m_lost_amount, m_by_amount = marts[month]
        assert Decimal(m_revenue) == revenue and Decimal(m_lost_amount) == lost_amount, month
        # The two win rates: by count, and by amount (won amount over won + lost amount).
        by_amount = revenue / (revenue + lost_amount) if revenue + lost_amount else None
        assert (m_by_amount is None) == (by_amount is None), month
        if by_amount is not None:
            assert abs(Decimal(str(m_by_amount)) - by_amount) < Decimal("1e-12"), month
        assert (m_won, m_lost, m_new) == (won, lost, new_customers), month
        expected_rate = Decimal(won) / Decimal(won + lost) if won + lost else None
        assert (m_win_rate is None) == (expected_rate is None)
        if expected_rate is not None:
            assert abs(Decimal(str(m_win_rate)) - expected_rate) < Decimal("1e-9"), month
        total_revenue += revenue
    # Months in the mart without closed deals (if any) must show zeros, not be missing.
    for month in set(marts) - set(expected):
        assert marts[month][0] == 0 and marts[month][1] == 0
    assert total_revenue > 0


def test_periods_have_no_gaps_and_grains_agree(built: Built) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        gaps = con.execute(
            """
            select grain, count(*) from (
                select grain, period_start,
                       lag(period_end) over (partition by grain order by period_start) as previous_end
                from marts.sales_by_period
            ) where previous_end is not null and period_start <> previous_end + interval 1 day
            group by grain
            """
        ).fetchall()
        totals = dict(con.execute("select grain, sum(revenue) from marts.sales_by_period group by grain").fetchall())
    assert gaps == []
    assert set(totals) == {"day", "week", "month", "quarter", "year"}
    assert len(set(totals.values())) == 1, f"revenue differs across grains: {totals}"
