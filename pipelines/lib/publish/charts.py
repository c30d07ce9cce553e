"""Plotly figures (plain dicts) for the dashboard sections, built from the frozen section rows.

Plotly reads a few HTML tags in text, so every name from the CRM is HTML-escaped before it reaches a figure:
``<script>`` shows as text, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from pipelines.lib.publish.formats import CURRENCY

Rows = list[dict]
NAVY, TEAL, SAND, CORAL, GREY = "#1f3a5f", "#2a9d8f", "#e9c46a", "#e76f51", "#9aa5b1"
MONEY = {"tickprefix": CURRENCY, "tickformat": "~s", "hoverformat": ",.0f", "automargin": True}
PCT = {"tickformat": ".0%", "hoverformat": ".1%", "automargin": True}


LABEL_CHARS = 32


def esc(value: object) -> str:
    """A CRM name as a chart label: HTML-escaped (plotly reads some tags), long ones cut to fit the axis."""
    text = "–" if value is None else str(value)
    if len(text) > LABEL_CHARS:
        text = text[: LABEL_CHARS - 1] + "…"
    return html.escape(text, quote=False)


def num(value: object) -> float | None:
    return None if value is None else float(value)


def layout(**extra: object) -> dict:
    base = {
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "height": 340,
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12, "color": "#243447"},
        "legend": {"orientation": "h", "y": 1.12, "x": 0},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hovermode": "closest",
    }
    return base | extra


def period_labels(rows: Rows) -> list[str]:
    """Jun 2026 for months, 2026-W25 for weeks."""
    labels = []
    for r in rows:
        start = r["period_start"]
        if (r["period_end"] - start).days > 7:
            labels.append(f"{start:%b %Y}")
        else:
            year, week, _ = start.isocalendar()
            labels.append(f"{year}-W{week:02d}")
    return labels


def revenue_trend(rows: Rows) -> dict:
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
        "layout": layout(yaxis=MONEY, xaxis={"type": "category"}),
    }


def rep_revenue(rows: Rows) -> dict:
    rows = sorted(rows, key=lambda r: num(r["revenue"]) or 0)
    names = [esc(r["rep_name"]) for r in rows]
    text = [
        f"{(num(r['quota_attainment']) or 0):.0%} of quota" if r["quota_attainment"] is not None else "" for r in rows
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Revenue",
                "y": names,
                "x": [num(r["revenue"]) for r in rows],
                "text": text,
                "textposition": "auto",
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
            xaxis=MONEY,
            yaxis={"automargin": True},
            height=max(300, 26 * len(rows) + 90),
            margin={"l": 150, "r": 20, "t": 30, "b": 40},
        ),
    }


def rep_win_cycle(rows: Rows) -> dict:
    rows = sorted(rows, key=lambda r: r["rep_name"] or "", reverse=True)
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
            xaxis={"domain": [0, 0.47], "title": {"text": "Win rate"}, **PCT},
            xaxis2={"domain": [0.53, 1], "title": {"text": "Average days to close"}, "anchor": "y"},
            yaxis={"automargin": True},
            height=max(300, 26 * len(rows) + 100),
            margin={"l": 150, "r": 20, "t": 30, "b": 50},
        ),
    }


def funnel(rows: Rows) -> dict:
    names = [esc(r["lead_source"]) for r in rows]
    series = (("Leads converted", "lead_conversion_rate", NAVY), ("Opportunities won", "win_rate", TEAL))
    return {
        "data": [
            {"type": "bar", "name": name, "x": names, "y": [num(r[col]) for r in rows], "marker": {"color": color}}
            for name, col, color in series
        ],
        "layout": layout(yaxis=PCT, barmode="group"),
    }


def products(rows: Rows) -> dict:
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
            xaxis=MONEY,
            yaxis={"automargin": True},
            height=max(300, 24 * len(top) + 80),
            margin={"l": 180, "r": 20, "t": 20, "b": 40},
        ),
    }


def regions(rows: Rows) -> dict:
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
        "layout": layout(yaxis=MONEY),
    }


def customer_mix(rows: Rows) -> dict:
    x = period_labels(rows)
    return {
        "data": [
            {
                "type": "bar",
                "name": "New customers",
                "x": x,
                "y": [num(r["new_customer_revenue"]) for r in rows],
                "marker": {"color": SAND},
            },
            {
                "type": "bar",
                "name": "Returning customers",
                "x": x,
                "y": [num(r["returning_customer_revenue"]) for r in rows],
                "marker": {"color": NAVY},
            },
        ],
        "layout": layout(yaxis=MONEY, barmode="stack", xaxis={"type": "category"}),
    }


def retention(rows: Rows) -> dict:
    x = period_labels(rows)
    return {
        "data": [
            {
                "type": "bar",
                "name": "Active customers",
                "x": x,
                "y": [num(r["customers_active"]) for r in rows],
                "marker": {"color": "#c9d6e3"},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Retention rate",
                "x": x,
                "yaxis": "y2",
                "y": [num(r["retention_rate"]) for r in rows],
                "line": {"color": NAVY},
            },
        ],
        "layout": layout(
            xaxis={"type": "category"},
            yaxis={"title": {"text": "Customers"}},
            yaxis2={"overlaying": "y", "side": "right", "range": [0, 1], "dtick": 0.25, "showgrid": False, **PCT},
        ),
    }


def cohorts(rows: Rows) -> dict:
    months = sorted({int(r["months_since_first_purchase"]) for r in rows})
    cohort_keys = sorted({r["cohort_month"] for r in rows}, reverse=True)
    cell = {(r["cohort_month"], int(r["months_since_first_purchase"])): num(r["retention_rate"]) for r in rows}
    z = [[cell.get((c, m)) for m in months] for c in cohort_keys]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": [str(m) for m in months],
                "y": [f"{c:%Y-%m}" for c in cohort_keys],
                "z": z,
                "colorscale": [[0, "#f1f5f9"], [1, NAVY]],
                "zmin": 0,
                "zmax": 1,
                "texttemplate": "%{z:.0%}",
                "hovertemplate": "cohort %{y}, month %{x}: %{z:.1%}<extra></extra>",
                "colorbar": {"tickformat": ".0%"},
            }
        ],
        "layout": layout(
            xaxis={"title": {"text": "Months since first purchase"}, "type": "category"},
            yaxis={"type": "category"},
            height=max(300, 24 * len(cohort_keys) + 100),
        ),
    }


def pipeline(rows: Rows) -> dict:
    key = "stage" if rows and "stage" in rows[0] else "rep_name"
    amount = "open_amount" if key == "stage" else "open_pipeline_amount"
    names = [esc(r[key]) for r in rows]
    text = [
        f"{int(r['stale_opportunities'] or 0)} stale · {int(r['overdue_opportunities'] or 0)} overdue" for r in rows
    ]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Open amount",
                "x": names,
                "y": [num(r[amount]) for r in rows],
                "text": text,
                "textposition": "outside",
                "marker": {"color": NAVY},
                "cliponaxis": False,
            }
        ],
        "layout": layout(yaxis=MONEY, margin={"l": 60, "r": 20, "t": 40, "b": 80}),
    }


CHARTS: dict[str, list[tuple[str, Callable[[Rows], dict]]]] = {
    "revenue_trend": [("Revenue by period, against last year", revenue_trend)],
    "rep_performance": [
        ("Revenue by rep, with quota", rep_revenue),
        ("Win rate and cycle length by rep", rep_win_cycle),
    ],
    "funnel_by_source": [("Conversion by lead source", funnel)],
    "product_performance": [("Revenue by product (top 15)", products)],
    "region_performance": [("Revenue by region", regions)],
    "customer_mix": [("Revenue from new and returning customers", customer_mix)],
    "customer_retention": [("Retention of last period's customers", retention)],
    "cohort_retention": [("Share of each cohort still buying", cohorts)],
    "open_pipeline": [("Open amount at period end (stale and overdue counts on the bars)", pipeline)],
}
