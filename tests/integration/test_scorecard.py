"""marts.kpi_scorecard against numbers computed straight from the export files (quotas, targets, fixed costs).

Quota attainment is recomputed from ForecastingQuota.csv + Period.csv (each quota spread evenly over its
period's days), Opportunity.csv (won deals by close month and owner) and User.csv (Department = team), with
a few lines of SQL over the files, not the project's models.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from tests.integration.conftest import Built

REP_MONTHS_FROM_EXPORT = """
with quotas as (
    select
        q."QuotaOwnerId" as rep_id,
        cast(p."StartDate" as date) as quota_start,
        cast(p."EndDate" as date) as quota_end,
        cast(q."QuotaAmount" as decimal(38, 6)) as amount
    from read_csv($quota, all_varchar = true) as q
    inner join read_csv($period, all_varchar = true) as p on p."Id" = q."PeriodId"
),
months as (
    select distinct cast(date_trunc('month', d) as date) as month_start
    from (select unnest(generate_series(min(quota_start), max(quota_end), interval 1 day)) as d from quotas)
),
quota_by_rep_month as (
    select
        rep_id,
        month_start,
        cast(sum(amount * (date_diff('day', greatest(quota_start, month_start),
                                     least(quota_end, last_day(month_start))) + 1)
                 / (date_diff('day', quota_start, quota_end) + 1)) as decimal(38, 6)) as quota
    from quotas
    inner join months on quota_start <= last_day(month_start) and quota_end >= month_start
    group by all
),
revenue_by_rep_month as (
    select "OwnerId" as rep_id, cast(date_trunc('month', cast("CloseDate" as date)) as date) as month_start,
           sum(cast("Amount" as decimal(18, 2))) as revenue
    from read_csv($opportunity, all_varchar = true)
    where lower("IsWon") = 'true'
    group by all
)
select q.rep_id, u."Department" as team, q.month_start, q.quota, coalesce(r.revenue, 0) as revenue
from quota_by_rep_month q
left join revenue_by_rep_month r using (rep_id, month_start)
left join read_csv($user, all_varchar = true) as u on u."Id" = q.rep_id
"""


@pytest.fixture(scope="module")
def rep_months(built: Built) -> list[tuple]:
    files = {
        name: str(built.export_dir / f"{stem}.csv")
        for name, stem in (
            ("quota", "ForecastingQuota"),
            ("period", "Period"),
            ("opportunity", "Opportunity"),
            ("user", "User"),
        )
    }
    with duckdb.connect() as con:
        return con.execute(REP_MONTHS_FROM_EXPORT, files).fetchall()


def scorecard(built: Built, where: str, params: list) -> dict[tuple, tuple]:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        rows = con.execute(
            "select scope_id, period_start, kpi, actual, target, attainment, status from marts.kpi_scorecard "
            f"where grain = 'month' and {where}",
            params,
        ).fetchall()
    return {(r[0], r[1], r[2]): r[3:] for r in rows}


def test_rep_quota_and_attainment_match_the_export(built: Built, rep_months: list[tuple]) -> None:
    cards = scorecard(built, "scope = 'rep' and kpi in ('quota', 'quota_attainment', 'revenue')", [])
    checked = 0
    for rep_id, _team, month, quota, revenue in rep_months:
        if (rep_id, month, "quota") not in cards:
            continue  # a quota period outside the data's calendar
        assert cards[(rep_id, month, "quota")][0] == quota, (rep_id, month)
        assert cards[(rep_id, month, "revenue")][0] == revenue, (rep_id, month)
        if quota > 0:
            attainment = revenue / quota
            actual, target, _, status = cards[(rep_id, month, "quota_attainment")]
            assert abs(actual - attainment) <= Decimal("0.000001"), (rep_id, month)
            assert target == 1
            assert status == (
                "on_track" if attainment >= 1 else "at_risk" if attainment >= Decimal("0.9") else "off_track"
            )
            # Revenue is measured against the quota unless the targets file names the rep.
            assert cards[(rep_id, month, "revenue")][1] == quota
            checked += 1
    assert checked > 300  # 26 reps over three years of monthly and quarterly quotas


def test_team_and_company_attainment_are_their_reps_summed(built: Built, rep_months: list[tuple]) -> None:
    month = max(m for _, _, m, _, _ in rep_months if m.month == 5 and m.year == 2026)
    teams: dict[str, list[Decimal]] = {}
    for _rep, team, m, quota, revenue in rep_months:
        if m == month:
            sums = teams.setdefault(team, [Decimal(0), Decimal(0)])
            sums[0] += quota
            sums[1] += revenue
    cards = scorecard(built, "period_start = ? and kpi in ('quota', 'quota_attainment')", [month])
    for team, (quota, _revenue) in teams.items():
        assert cards[(team, month, "quota")][0] == quota, team
    company_quota = sum(q for q, _ in teams.values())
    assert cards[("company", month, "quota")][0] == company_quota
    assert len(teams) == 4  # Enterprise, Mid-Market, SMB, Inside Sales


def test_targets_file_values_and_growth_rules(built: Built) -> None:
    with duckdb.connect() as con:
        targets = con.execute(
            "select kpi, scope, scope_id, grain, cast(period_start as date), "
            "cast(target_value as decimal(20, 6)), cast(growth_rate as decimal(12, 6)) "
            "from read_csv(?, all_varchar = true)",
            [str(built.export_dir / "targets.csv")],
        ).fetchall()
        revenue = dict(
            con.execute(
                "select cast(date_trunc('month', cast(\"CloseDate\" as date)) as date), "
                'sum(cast("Amount" as decimal(18, 2))) from read_csv(?, all_varchar = true) '
                "where lower(\"IsWon\") = 'true' group by 1",
                [str(built.export_dir / "Opportunity.csv")],
            ).fetchall()
        )
    cards = scorecard(built, "scope = 'company'", [])
    checked = {"value": 0, "growth": 0}
    for kpi, scope, _scope_id, grain, start, value, growth in targets:
        if scope != "company" or grain != "month" or ("company", start, kpi) not in cards:
            continue
        actual, target, attainment, status = cards[("company", start, kpi)]
        if value is not None:
            assert target == value, (kpi, start)
            checked["value"] += 1
        else:
            last_year = revenue.get(start.replace(year=start.year - 1), Decimal(0))
            assert target == (last_year * (1 + growth)).quantize(Decimal("0.000001")), (kpi, start)
            checked["growth"] += 1
        expected = actual / target if target else None
        if expected is not None:
            assert abs(Decimal(str(attainment)) - expected) < Decimal("0.000001")
            assert status == ("on_track" if expected >= 1 else "at_risk" if expected >= Decimal("0.9") else "off_track")
    assert checked["value"] >= 20 and checked["growth"] >= 10


def test_break_even_from_the_fixed_costs_file(built: Built) -> None:
    with duckdb.connect() as con:
        costs = con.execute(
            "select cast(period_start as date), cast(fixed_cost as decimal(18, 2)) "
            "from read_csv(?, all_varchar = true)",
            [str(built.export_dir / "fixed_costs.csv")],
        ).fetchall()
    cards = scorecard(
        built,
        "scope = 'company' and kpi in "
        "('fixed_costs', 'break_even_revenue', 'break_even_coverage', 'gross_margin_pct', 'revenue')",
        [],
    )
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        margins = dict(
            con.execute(
                "select period_start, gross_margin_pct from marts.sales_by_period where grain = 'month'"
            ).fetchall()
        )
    cleared = missed = 0
    for start, cost in costs:
        if ("company", start, "fixed_costs") not in cards:
            continue
        assert cards[("company", start, "fixed_costs")][0] == cost
        margin = margins[start]  # the mart's own double; the scorecard rounds it to six decimals
        revenue = cards[("company", start, "revenue")][0]
        break_even = cards[("company", start, "break_even_revenue")][0]
        assert abs(break_even - round(cost / Decimal(margin), 2)) <= Decimal("0.01")
        coverage, target, _, status = cards[("company", start, "break_even_coverage")]
        assert target == 1
        assert (status == "on_track") == (revenue >= break_even) or abs(revenue - break_even) < 1
        cleared += revenue >= break_even
        missed += revenue < break_even
    assert cleared + missed == 36


def test_both_win_rates_per_scope_from_the_closed_deals(built: Built) -> None:
    """Each scope's two win rates from its own closed deals: by count, and by amount (to the sixth decimal)."""
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        expected = con.execute(
            """
            select case when grouping(r.team) = 1 then 'company' else r.team end,
                count(*) filter (where o.status = 'won'), count(*),
                sum(o.amount) filter (where o.status = 'won'), sum(o.amount)
            from marts.fct_opportunities o left join marts.dim_reps r using (rep_id)
            where o.status in ('won', 'lost') and o.close_date between '2026-05-01' and '2026-05-31'
            group by grouping sets ((r.team), ())
            """
        ).fetchall()
    cards = scorecard(built, "period_start = '2026-05-01' and kpi in ('win_rate', 'win_rate_by_amount')", [])
    checked = 0
    for scope_id, won, closed, won_amount, closed_amount in expected:
        if (scope_id, date(2026, 5, 1), "win_rate") not in cards:
            continue  # deals of reps without a team count only for the company
        assert cards[(scope_id, date(2026, 5, 1), "win_rate")][0] == round(Decimal(won) / closed, 6), scope_id
        by_amount = cards[(scope_id, date(2026, 5, 1), "win_rate_by_amount")][0]
        assert by_amount == round(won_amount / closed_amount, 6), scope_id
        checked += 1
    assert checked == 5  # four teams and the company
