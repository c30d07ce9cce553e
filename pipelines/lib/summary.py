"""The KPI summary printed after a run: the company's scorecard for the last closed month, and its teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
from rich.table import Table

# The company KPIs the summary shows, in order (all of them are in marts.kpi_scorecard).
COMPANY_KPIS: tuple[str, ...] = (
    "revenue",
    "deals_won",
    "win_rate",
    "avg_deal_size",
    "avg_sales_cycle_days",
    "new_customers",
    "retention_rate",
    "lead_conversion_rate",
    "quota_attainment",
    "gross_margin_pct",
    "cac",
    "historical_clv",
    "open_pipeline_amount",
    "break_even_coverage",
)
STATUS_STYLE = {"on_track": "[green]on track[/]", "at_risk": "[yellow]at risk[/]", "off_track": "[red]off track[/]"}
_COLUMNS = ("kpi", "kpi_label", "kpi_unit", "actual", "prior_value", "change_pct", "target", "status", "benchmark")


@dataclass(frozen=True)
class MonthSummary:
    period_start: date
    period_end: date
    company: list[dict[str, object]]  # one dict per KPI of COMPANY_KPIS present, _COLUMNS as keys
    teams: list[dict[str, object]]  # team, revenue, target, attainment, status


def last_closed_month(warehouse: Path, today: date | None = None) -> MonthSummary | None:
    """The scorecard of the latest month that ended on or before the last day of data (and before today)."""
    today = today or date.today()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        month = con.execute(
            """
            select period_start, period_end from marts.sales_by_period
            where grain = 'month'
              and period_end <= least(
                  (select max(period_end) from marts.sales_by_period where grain = 'day'), ?::date)
            order by period_start desc limit 1
            """,
            [today],
        ).fetchone()
        if month is None:
            return None
        rows = con.execute(
            f"""select {", ".join(_COLUMNS)} from marts.kpi_scorecard
                where grain = 'month' and period_start = ? and scope = 'company'""",
            [month[0]],
        ).fetchall()
        teams = con.execute(
            """select scope_name, actual, target, attainment, status from marts.kpi_scorecard
               where grain = 'month' and period_start = ? and scope = 'team' and kpi = 'revenue'
               order by actual desc""",
            [month[0]],
        ).fetchall()
    by_kpi = {row[0]: dict(zip(_COLUMNS, row, strict=True)) for row in rows}
    company = [by_kpi[k] for k in COMPANY_KPIS if k in by_kpi]
    team_rows = [dict(zip(("team", "revenue", "target", "attainment", "status"), t, strict=True)) for t in teams]
    return MonthSummary(month[0], month[1], company, team_rows)


def format_value(value: object, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "currency":
        return f"{Decimal(str(value)):,.2f}"
    if unit == "rate":
        return f"{float(value) * 100:.1f} %"
    if unit in ("days", "ratio"):
        return f"{float(value):,.1f}"
    return f"{int(value):,}"


def format_change(change_pct: object) -> str:
    return "–" if change_pct is None else f"{float(change_pct) * 100:+.1f} %"


def summary_tables(summary: MonthSummary) -> list[Table]:
    """The company scorecard and the teams against their revenue targets, as Rich tables."""
    company = Table(title=f"{summary.period_start:%B %Y} (last closed month): company scorecard")
    for name, justify in (
        ("KPI", "left"),
        (f"{summary.period_start:%b %Y}", "right"),
        ("previous month", "right"),
        ("change", "right"),
        ("target", "right"),
        ("status", "left"),
        ("benchmark", "right"),
    ):
        company.add_column(name, justify=justify)
    for row in summary.company:
        unit = str(row["kpi_unit"])
        company.add_row(
            str(row["kpi_label"]),
            format_value(row["actual"], unit),
            format_value(row["prior_value"], unit),
            format_change(row["change_pct"]),
            format_value(row["target"], unit),
            STATUS_STYLE.get(str(row["status"]), "–"),
            format_value(row["benchmark"], unit),
        )
    teams = Table(title="Teams: revenue against target")
    for name, justify in (
        ("team", "left"),
        ("revenue", "right"),
        ("target", "right"),
        ("attainment", "right"),
        ("status", "left"),
    ):
        teams.add_column(name, justify=justify)
    for row in summary.teams:
        teams.add_row(
            str(row["team"]),
            format_value(row["revenue"], "currency"),
            format_value(row["target"], "currency"),
            format_value(row["attainment"], "rate"),
            STATUS_STYLE.get(str(row["status"]), "–"),
        )
    return [company, teams] if summary.teams else [company]


def quarantine_counts(warehouse: Path) -> list[tuple[str, int]]:
    """Rows held back in quarantine from files that were accepted (rejected files are in data/rejected)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'quarantine' order by 1"
            ).fetchall()
        ]
        counts = []
        for table in tables:
            rows = con.execute(
                f'select count(distinct (_source_sha256, _source_line)) from quarantine."{table}" '
                "where _source_sha256 in (select sha256 from raw._ingest_log where status = 'accepted')"
            ).fetchone()[0]
            if rows:
                counts.append((table, int(rows)))
    return counts
