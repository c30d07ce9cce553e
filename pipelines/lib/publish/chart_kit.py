"""What every dashboard chart shares: colours, axes, the base layout, safe labels and the reps shown.

Plotly reads a few HTML tags in text, so every name from the CRM is HTML-escaped before it reaches a figure:
``<script>`` shows as text, never as markup.
"""

from __future__ import annotations

import html

from pipelines.lib.publish.formats import CURRENCY, symbol

Rows = list[dict]
NAVY, TEAL, SAND, CORAL, GREY = "#1f3a5f", "#2a9d8f", "#e9c46a", "#e76f51", "#9aa5b1"
PCT = {"tickformat": ".0%", "hoverformat": ".1%", "automargin": True}
LABEL_CHARS = 32
TOP_REPS = 15  # the rep charts show the top reps by revenue; the workbook lists every rep


def money_axis(currency: str = CURRENCY) -> dict:
    """An axis of amounts in the reporting currency: $2M ticks, $1,234,567 on hover."""
    return {"tickprefix": symbol(currency), "tickformat": "~s", "hoverformat": ",.0f", "automargin": True}


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
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
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


def top_reps(rows: Rows) -> Rows:
    """The reps every rep chart shows, in the one order they share: revenue high to low, then name."""
    ranked = sorted(rows, key=lambda r: (-(num(r["revenue"]) or 0.0), str(r["rep_name"] or "")))
    return ranked[:TOP_REPS]


def rep_chart_height(rows: Rows) -> int:
    return 28 * len(rows) + 110
