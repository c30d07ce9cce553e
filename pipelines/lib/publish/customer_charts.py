"""Plotly figures (plain dicts) of the customer sections: new vs returning revenue, retention, cohorts."""

from __future__ import annotations

from pipelines.lib.publish.chart_kit import CURRENCY, NAVY, PCT, SAND, Rows, layout, money_axis, num, period_labels


def customer_mix(rows: Rows, currency: str = CURRENCY) -> dict:
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
        "layout": layout(yaxis=money_axis(currency), barmode="stack", xaxis={"type": "category", "automargin": True}),
    }


def retention(rows: Rows, currency: str = CURRENCY) -> dict:
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
            xaxis={"type": "category", "automargin": True},
            yaxis={"title": {"text": "Customers"}, "automargin": True},
            yaxis2={"overlaying": "y", "side": "right", "range": [0, 1], "dtick": 0.25, "showgrid": False, **PCT},
        ),
    }


def cohorts(rows: Rows, currency: str = CURRENCY) -> dict:
    months = sorted({int(r["months_since_first_purchase"]) for r in rows})
    cohort_keys = sorted({r["cohort_month"] for r in rows}, reverse=True)
    cell = {(r["cohort_month"], int(r["months_since_first_purchase"])): num(r["retention_rate"]) for r in rows}
    z = [[cell.get((c, m)) for m in months] for c in cohort_keys]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": [str(m) for m in months],
                "y": [f"{c:%b %Y}" for c in cohort_keys],
                "z": z,
                "colorscale": [[0, "#f1f5f9"], [1, NAVY]],
                "zmin": 0,
                "zmax": 1,
                "texttemplate": "%{z:.0%}",
                "hovertemplate": "cohort %{y}, month %{x}: %{z:.1%}<extra></extra>",
                "colorbar": {"tickformat": ".0%", "thickness": 12},
            }
        ],
        "layout": layout(
            xaxis={"title": {"text": "Months since first purchase"}, "type": "category", "automargin": True},
            yaxis={"type": "category", "automargin": True},
            height=max(300, 24 * len(cohort_keys) + 100),
            margin={"l": 20, "r": 10, "t": 20, "b": 50},
        ),
    }
