"""Fiscal periods, rep quotas and the company's targets, benchmarks and fixed costs, derived after all deals are known.

Quotas are set from each rep's own won revenue so attainment lands mostly between 60 % and 130 % (as real
quotas track capacity); Enterprise reps carry quarterly quotas, everyone else monthly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.lib.sample import model
from pipelines.lib.sample.chunk import Totals
from pipelines.lib.sample.ids import sfid
from pipelines.lib.sample.people import Reps
from pipelines.lib.sample.timeline import DAY, Span, month_number, month_to_day


def period_table(span: Span) -> pd.DataFrame:
    """Month and Quarter periods from the first month of the data to the end of the end date's quarter."""
    first = span.first_month - span.first_month % 3
    last = span.last_month - span.last_month % 3 + 2
    months = np.arange(first, last + 1)
    quarters = months[::3]
    kinds = ["Month"] * len(months) + ["Quarter"] * len(quarters)
    start = np.concatenate([months, quarters])
    length = np.array([1] * len(months) + [3] * len(quarters))
    year = start // 12 + 1970
    return pd.DataFrame(
        {
            "Id": sfid("Period", np.arange(len(start))).astype(object),
            "Type": kinds,
            "StartDate": month_to_day(start),
            "EndDate": month_to_day(start + length) - 1,
            "Number": np.where(length == 1, start % 12 + 1, start % 12 // 3 + 1),
            "FiscalYearSettingsId": sfid("FiscalYearSettings", year - year.min()).astype(object),
            "_month": start,
            "_length": length,
        }
    )


def quota_table(span: Span, seed: int, reps: Reps, totals: Totals, periods: pd.DataFrame) -> pd.DataFrame:
    """One quota per rep and period the rep worked in, from the rep's own revenue in that period."""
    rng = np.random.default_rng([seed, 104])
    revenue = totals.rep_month_cents  # (rep, month since span.first_month)
    cumulative = np.concatenate([np.zeros((reps.n, 1)), np.cumsum(revenue, axis=1)], axis=1)
    months = periods["_month"].to_numpy() - totals.first_month
    ends = months + periods["_length"].to_numpy()
    lo, hi = np.clip(months, 0, revenue.shape[1]), np.clip(ends, 0, revenue.shape[1])
    earned = cumulative[:, hi] - cumulative[:, lo]  # (rep, period)
    start_s = periods["StartDate"].to_numpy() * DAY
    end_s = (periods["EndDate"].to_numpy() + 1) * DAY
    complete = (periods["EndDate"].to_numpy() < span.end_day) & (months >= 0)
    quarterly = np.isin(reps.team, model.QUARTERLY_TEAMS)
    kind = (periods["Type"].to_numpy() == "Quarter")[None, :] == quarterly[:, None]
    active = kind & (start_s[None, :] < reps.leave_s[:, None]) & (end_s[None, :] > reps.hire_s[:, None])
    worked = active & complete[None, :]
    typical = np.where(worked, earned, 0).sum(axis=1) / np.maximum(worked.sum(axis=1), 1)
    team_typical = np.array([typical[(reps.team == t)].mean() for t in reps.team])
    typical = np.maximum.reduce([typical, 0.3 * team_typical, np.full(reps.n, 100_000.0)])
    basis = np.where(complete[None, :], 0.8 * earned + 0.2 * typical[:, None], typical[:, None])
    quota = np.round(basis / rng.uniform(0.6, 1.3, basis.shape) / 100_000) * 100_000
    rep, period = np.nonzero(active)
    order = np.lexsort((rep, start_s[period]))
    rep, period = rep[order], period[order]
    return pd.DataFrame(
        {
            "Id": sfid("ForecastingQuota", np.arange(len(rep))).astype(object),
            "QuotaOwnerId": reps.user_ids[rep],
            "PeriodId": periods["Id"].to_numpy()[period],
            "StartDate": periods["StartDate"].to_numpy()[period],
            "QuotaAmount": quota[rep, period],
            "CurrencyIsoCode": "USD",
            "ForecastingTypeId": sfid("ForecastingType", np.zeros(1, dtype=np.int64))[0],
        }
    )


def target_table(span: Span, seed: int, reps: Reps, totals: Totals) -> pd.DataFrame:
    """Growth rule on revenue, value targets on win rate and new customers, team revenue per quarter."""
    rng = np.random.default_rng([seed, 105])
    months = np.arange(span.last_month - 11, span.last_month + 1)
    starts = month_to_day(months)
    rows = [("revenue", "company", None, "month", s, None, "0.15") for s in starts]
    rows += [("win_rate", "company", None, "month", s, "0.30", None) for s in starts]
    first_won = totals.accounts.first_won_day
    won_months = month_number(first_won[first_won < np.iinfo(np.int64).max])
    recent = np.isin(won_months, months).sum() / 12
    rows += [("new_customers", "company", None, "month", s, str(max(1, round(recent * 1.1))), None) for s in starts]
    this_quarter = span.last_month - span.last_month % 3
    for q in range(this_quarter - 9, this_quarter + 1, 3):
        cols = np.arange(q - 12, q - 9) - totals.first_month  # the same quarter a year earlier, complete
        cols = cols[(cols >= 0) & (cols < totals.rep_month_cents.shape[1])]
        for t, team in enumerate(model.TEAMS):
            last_year = totals.rep_month_cents[reps.team == t][:, cols].sum()
            target = round(max(last_year, 1_000_000) * rng.uniform(1.15, 1.45) / 100_000) * 1000
            rows.append(("revenue", "team", team, "quarter", int(month_to_day(np.array([q]))[0]), f"{target}.00", None))
    return pd.DataFrame(
        rows, columns=["kpi", "scope", "scope_id", "grain", "period_start", "target_value", "growth_rate"]
    )


# Illustrative industry values for a B2B sales team (the sample's benchmarks file says so in its labels).
BENCHMARKS = (
    ("win_rate", None, "0.21", "B2B industry median (illustrative sample value)"),
    ("avg_sales_cycle_days", None, "84", "B2B industry median (illustrative sample value)"),
    ("lead_conversion_rate", None, "0.13", "B2B industry median (illustrative sample value)"),
    ("quota_attainment", None, "0.85", "B2B industry median (illustrative sample value)"),
    ("retention_rate", "year", "0.80", "B2B industry median (illustrative sample value)"),
    ("gross_margin_pct", None, "0.55", "Competitor median (illustrative sample value)"),
)


def benchmark_table() -> pd.DataFrame:
    """A handful of industry values per KPI; an empty grain means every grain."""
    return pd.DataFrame(BENCHMARKS, columns=["kpi", "grain", "benchmark_value", "benchmark_label"])


def fixed_cost_table(span: Span, seed: int, totals: Totals) -> pd.DataFrame:
    """Monthly fixed costs (salaries, rent, tools): about a quarter of a typical month's revenue, rising yearly.

    Set from the median month so that strong months clear break-even and weak ones may not.
    """
    rng = np.random.default_rng([seed, 106])
    monthly = totals.rep_month_cents.sum(axis=0)
    typical = float(np.median(monthly[monthly > 0])) if (monthly > 0).any() else 10_000_000.0
    months = np.arange(span.first_month, span.last_month + 1)
    years = months // 12 - months[0] // 12
    growth = rng.uniform(1.03, 1.08, years.max() + 1).cumprod()
    cents = np.round(typical * 0.25 * growth[years] / 100_000) * 100_000
    return pd.DataFrame(
        {
            "period_start": month_to_day(months),
            "period_end": month_to_day(months + 1) - 1,
            "fixed_cost": cents,
            "description": "Salaries, rent and tools",
        }
    )
