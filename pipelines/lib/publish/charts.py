"""Plotly figures (plain dicts) for the dashboard sections, built from the frozen section rows.

Every builder takes the section's rows and the reporting currency (an ISO code); the customer sections' charts
are in customer_charts, what all charts share in chart_kit.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.lib.publish.chart_kit import (
    CORAL,
    CURRENCY,
    GREY,
    NAVY,
    PCT,
    SAND,
    TEAL,
    TOP_REPS,
    Rows,
    esc,
    layout,
    money_axis,
    num,
    period_labels,
    rep_chart_height,
    top_reps,
)
from pipelines.lib.publish.customer_charts import cohorts, customer_mix, retention

REP_AXIS = {"automargin": True, "autorange": "reversed", "type": "category"}  # the first rep on top


def revenue_trend(rows: Rows, currency: str = CURRENCY) -> dict:
    x = period_labels(rows)
    colors = [GREY] * (len(x) - 1) + [NAVY]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Revenue",
                "x": x,
                "y": [num(r["revenue"]) for r in rows],
                "marker": {"color": colors},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Same period last year",
                "x": x,
                "y": [num(r["revenue_last_year"]) for r in rows],
                "line": {"color": CORAL, "dash": "dot"},
            },
        ],
        "layout": layout(yaxis=money_axis(currency), xaxis={"type": "category", "automargin": True}),
    }


def rep_revenue(rows: Rows, currency: str = CURRENCY) -> dict:
    """The top reps' revenue with their quota tick; attainment is written at the bar's base, clear of the tick."""
    rows = top_reps(rows)
    names = [esc(r["rep_name"]) for r in rows]
    text = [f"{num(r['quota_attainment']):.0%}" if r["quota_attainment"] is not None else "" for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Revenue (share of quota on the bar)",
                "y": names,
                "x": [num(r["revenue"]) for r in rows],
                "text": text,
                "textposition": "inside",
                "insidetextanchor": "start",
                "textfont": {"color": "white"},
                "marker": {"color": NAVY},
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Quota",
                "y": names,
                "x": [num(r["quota"]) for r in rows],
                "marker": {"symbol": "line-ns-open", "size": 18, "line": {"width": 3}, "color": CORAL},
            },
        ],
        "layout": layout(
            xaxis=money_axis(currency),
            yaxis=REP_AXIS,
            height=rep_chart_height(rows),
            margin={"l": 10, "r": 20, "t": 30, "b": 40},
            uniformtext={"mode": "hide", "minsize": 10},
        ),
    }


def rep_win_cycle(rows: Rows, currency: str = CURRENCY) -> dict:
    """Win rate and cycle length of the same reps, in the same order, as the revenue chart beside it."""
    rows = top_reps(rows)
    names = [esc(r["rep_name"]) for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Win rate",
                "y": names,
                "x": [num(r["win_rate"]) for r in rows],
                "marker": {"color": TEAL},
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": "Sales cycle (days)",
                "y": names,
                "xaxis": "x2",
                "x": [num(r["avg_sales_cycle_days"]) for r in rows],
                "marker": {"color": SAND},
            },
        ],
        "layout": layout(
            xaxis={"domain": [0, 0.47], "nticks": 4, **PCT},  # the legend names both axes
            xaxis2={"domain": [0.53, 1], "nticks": 4, "anchor": "y", "automargin": True},
            yaxis=REP_AXIS,
            height=rep_chart_height(rows),
            margin={"l": 10, "r": 20, "t": 30, "b": 40},
        ),
    }


def funnel(rows: Rows, currency: str = CURRENCY) -> dict:
    names = [esc(r["lead_source"]) for r in rows]
    series = (("Leads converted", "lead_conversion_rate", NAVY), ("Opportunities won", "win_rate", TEAL))
    return {
        "data": [
            {"type": "bar", "name": name, "x": names, "y": [num(r[col]) for r in rows], "marker": {"color": color}}
            for name, col, color in series
        ],
        "layout": layout(yaxis=PCT, xaxis={"automargin": True}, barmode="group"),
    }


def products(rows: Rows, currency: str = CURRENCY) -> dict:
    top = sorted(rows, key=lambda r: num(r["revenue"]) or 0)[-15:]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Revenue",
                "y": [esc(r["product_name"]) for r in top],
                "x": [num(r["revenue"]) for r in top],
                "marker": {"color": NAVY},
            },
        ],
        "layout": layout(
            xaxis=money_axis(currency),
            yaxis={"automargin": True},
            height=max(300, 24 * len(top) + 80),
            margin={"l": 10, "r": 20, "t": 20, "b": 40},
        ),
    }


def regions(rows: Rows, currency: str = CURRENCY) -> dict:
    totals: dict[str, float] = {}
    for r in rows:
        totals[esc(r["region"])] = totals.get(esc(r["region"]), 0.0) + (num(r["revenue"]) or 0.0)
    ordered = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    return {
        "data": [
            {
                "type": "bar",
                "name": "Revenue",
                "x": [k for k, _ in ordered],
                "y": [v for _, v in ordered],
                "marker": {"color": TEAL},
            }
        ],
        "layout": layout(yaxis=money_axis(currency), xaxis={"automargin": True}),
    }


def pipeline(rows: Rows, currency: str = CURRENCY) -> dict:
    """Open amount by stage (or rep), the stale and overdue counts under each name in full-size axis text."""
    key = "stage" if rows and "stage" in rows[0] else "rep_name"
    amount = "open_amount" if key == "stage" else "open_pipeline_amount"
    names = [
        f"{esc(r[key])}<br>{int(r['stale_opportunities'] or 0)} stale · {int(r['overdue_opportunities'] or 0)} overdue"
        for r in rows
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Open amount",
                "y": names,
                "x": [num(r[amount]) for r in rows],
                "marker": {"color": NAVY},
            }
        ],
        "layout": layout(
            xaxis=money_axis(currency),
            yaxis={"automargin": True, "autorange": "reversed", "type": "category"},
            height=max(300, 40 * len(rows) + 80),
            margin={"l": 10, "r": 20, "t": 20, "b": 40},
        ),
    }


Builder = Callable[[Rows, str], dict]
CHARTS: dict[str, list[tuple[str, Builder]]] = {
    "revenue_trend": [("Revenue by period, against last year", revenue_trend)],
    "rep_performance": [
        (f"Revenue by rep, with quota (top {TOP_REPS} by revenue)", rep_revenue),
        (f"Win rate and cycle length, same {TOP_REPS} reps in the same order", rep_win_cycle),
    ],
    "funnel_by_source": [("Conversion by lead source", funnel)],
    "product_performance": [("Revenue by product (top 15)", products)],
    "region_performance": [("Revenue by region", regions)],
    "customer_mix": [("Revenue from new and returning customers", customer_mix)],
    "customer_retention": [("Retention of last period's customers", retention)],
    "cohort_retention": [("Share of each cohort still buying", cohorts)],
    "open_pipeline": [("Open amount at period end, with stale and overdue counts", pipeline)],
}
