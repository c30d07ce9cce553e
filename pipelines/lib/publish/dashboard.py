"""The dashboard page of one publication, rendered from its kpi.parquet and sections/*.parquet only.

One self-contained HTML file: plotly.js is inlined once, every chart is an inline figure, no request leaves
the page. Text is escaped by Jinja's autoescape (and by ``charts.esc`` inside figures).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import jinja2
import plotly.io as pio
from plotly.offline import get_plotlyjs

from pipelines.lib.publish.charts import CHARTS
from pipelines.lib.publish.formats import (
    CURRENCY,
    change,
    column_kinds,
    fmt,
    fmt_change,
    kind,
    kpi_kind,
    kpi_label,
    label,
    lower_is_better,
)
from pipelines.lib.publish.glossary import definition
from pipelines.lib.publish.sections import SECTIONS

HEADLINE = (
    "revenue",
    "deals_won",
    "win_rate",
    "win_rate_by_amount",
    "avg_deal_size",
    "avg_sales_cycle_days",
    "new_customers",
)
STATUS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}
TABLE_ROWS = 15
ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("pipelines.lib.publish", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@jinja2.pass_context
def fmt_filter(context: jinja2.runtime.Context, value: object, how: str) -> str:
    """``fmt`` in the reporting currency the page is rendered with."""
    return fmt(value, how, context.get("currency") or CURRENCY)


ENV.filters |= {"fmt": fmt_filter, "fmt_change": fmt_change, "kind": kind, "label": label}


@dataclass
class Frozen:
    """The files of one publication, read back."""

    kpis: list[dict]
    sections: dict[str, list[dict]] = field(default_factory=dict)
    restatements: dict[str, list[dict]] = field(default_factory=dict)  # kpis, opportunities (versions after 1)


def read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> list[dict]:
    cursor = con.execute("select * from read_parquet(?)", [str(path)])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def load(folder: Path) -> Frozen:
    with duckdb.connect() as con:  # one in-memory connection: opening one costs ~0.1 s
        sections = {p.stem: read_parquet(con, p) for p in sorted((folder / "sections").glob("*.parquet"))}
        restated = {p.stem: read_parquet(con, p) for p in sorted((folder / "restatements").glob("*.parquet"))}
        return Frozen(read_parquet(con, folder / "kpi.parquet"), sections, restated)


def restated_view(frozen: Frozen, version: int) -> dict | None:
    """What changed since the previous version: the KPIs that moved (as the page shows them) and the deals."""
    if not frozen.restatements:
        return None
    kpis = [
        r | {"how": "cents" if kpi_kind(r) == "currency" else kpi_kind(r), "title": kpi_label(r)}
        for r in frozen.restatements.get("kpis", [])
    ]
    return {"previous": version - 1, "kpis": kpis, "deals": frozen.restatements.get("opportunities", [])}


def period_title(grain: str, label_: str, start: date, end: date) -> str:
    if grain == "weekly":
        return f"Week {label_[-2:]}, {label_[:4]} ({start:%-d %b} – {end:%-d %b %Y})"
    return f"{start:%B %Y}"


def trend_class(row: dict) -> str:
    _, size = change(row)
    if size is None or round(size, 3) == 0:  # shows as 0.0% or 0.0 pt
        return "flat"
    return "good" if (size > 0) != lower_is_better(row) else "bad"


def card(row: dict) -> dict:
    """A company KPI as the page shows it; a status chip only where the KPI has a target and a status."""
    text, size = change(row)
    has_status = row["target"] is not None and row["status"] in STATUS
    return row | {
        "how": kpi_kind(row),
        "title": kpi_label(row),
        "definition": definition(row["kpi"]),
        "change_text": text,
        "arrow": "" if size is None else ("▲" if size > 0 else "▼" if size < 0 else "■"),
        "trend": trend_class(row),
        "status_text": STATUS[row["status"]] if has_status else None,
        "chars": len(fmt(row["actual"], kpi_kind(row))),
    }


def figure_html(figure: dict, div_id: str) -> str:
    config = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
    return pio.to_html(
        figure,
        include_plotlyjs=False,
        full_html=False,
        config=config,
        div_id=div_id,
        validate=False,
        default_height=f"{figure['layout']['height']}px",
    )


def section_views(frozen: Frozen, currency: str = CURRENCY) -> list[dict]:
    views = []
    for section in SECTIONS:
        rows = frozen.sections.get(section.name)
        view = {"name": section.name, "title": section.title, "description": section.description, "mart": section.mart}
        if rows is None:
            views.append(view | {"available": False})
            continue
        charts = [
            {"title": title, "html": figure_html(build(rows, currency), f"chart-{section.name}-{i}")}
            for i, (title, build) in enumerate(CHARTS[section.name])
            if rows
        ]
        columns = column_kinds(rows)
        views.append(
            view
            | {
                "available": True,
                "charts": charts,
                "columns": columns,
                "rows": rows[-TABLE_ROWS:] if rows and "period_start" in rows[0] else rows[:TABLE_ROWS],
                "total_rows": len(rows),
            }
        )
    return views


def render(
    frozen: Frozen,
    *,
    grain: str,
    label_: str,
    version: int,
    snapshot_id: str,
    published_at: datetime,
    source: str,
    workbook: str,
    currency: str = CURRENCY,
) -> str:
    company = [card(r) for r in frozen.kpis if r["scope"] == "company"]
    order = {k: i for i, k in enumerate(HEADLINE)}
    company.sort(key=lambda r: (order.get(r["kpi"], len(order)), r["kpi"]))
    start, end = frozen.kpis[0]["period_start"], frozen.kpis[0]["period_end"]
    teams = [r for r in frozen.kpis if r["scope"] == "team"]
    team_kpis = [
        k
        for k in ("revenue", "quota", "quota_attainment", "win_rate", "win_rate_by_amount", "deals_won")
        if any(r["kpi"] == k for r in teams)
    ]
    team_table = {}
    for r in teams:
        team_table.setdefault(r["scope_name"], {})[r["kpi"]] = r["actual"]
    return ENV.get_template("dashboard.html.j2").render(
        title=period_title(grain, label_, start, end),
        grain=grain,
        label=label_,
        version=version,
        snapshot_id=snapshot_id,
        published_at=published_at,
        source=source,
        workbook=workbook,
        headline=[c for c in company if c["kpi"] in order],
        scorecard=company,
        has_targets=any(r["target"] is not None for r in company),
        currency=currency,
        define=definition,
        has_benchmark=any(r.get("benchmark") is not None for r in frozen.kpis),
        team_kpis=team_kpis,
        team_table=sorted(team_table.items(), key=lambda t: -(t[1].get("revenue") or 0)),
        sections=section_views(frozen, currency),
        restated=restated_view(frozen, version),
        plotlyjs=plotlyjs(),
    )


@functools.cache
def plotlyjs() -> str:
    return get_plotlyjs()


def write_page(folder: Path, frozen: Frozen | None = None, **meta: object) -> Path:
    """Render ``folder``/index.html from the folder's frozen files (``frozen`` when already read)."""
    page = folder / "index.html"
    page.write_text(render(frozen or load(folder), **meta), encoding="utf-8")
    return page
