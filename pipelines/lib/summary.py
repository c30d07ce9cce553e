"""The KPI summary printed after a run: the last closed month against the month before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

KPIS: tuple[tuple[str, str, str], ...] = (
    # (column in marts.sales_by_period, label, format)
    ("revenue", "Revenue", "money"),
    ("deals_won", "Deals won", "count"),
    ("win_rate", "Win rate", "pct"),
    ("avg_deal_size", "Average deal size", "money"),
    ("avg_sales_cycle_days", "Sales cycle (days, avg)", "days"),
    ("new_customers", "New customers", "count"),
)


@dataclass(frozen=True)
class MonthSummary:
    period_start: date
    period_end: date
    current: dict[str, object]
    previous: dict[str, object]


def last_closed_month(warehouse: Path, today: date | None = None) -> MonthSummary | None:
    """The latest month that ended on or before the last day of data (and before today)."""
    today = today or date.today()
    columns = ", ".join(column for column, _, _ in KPIS)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"""
            with months as (
                select period_start, period_end, {columns}
                from marts.sales_by_period
                where grain = 'month'
            ),
            last_day as (
                select least(max(period_end), ?::date) as d
                from marts.sales_by_period where grain = 'day'
            )
            select * from months
            where period_end <= (select d from last_day)
            order by period_start desc
            limit 2
            """,
            [today],
        ).fetchall()
    if not rows:
        return None
    names = ["period_start", "period_end", *(c for c, _, _ in KPIS)]
    current = dict(zip(names, rows[0], strict=True))
    previous = dict(zip(names, rows[1], strict=True)) if len(rows) > 1 else {}
    return MonthSummary(current["period_start"], current["period_end"], current, previous)


def format_value(value: object, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "money":
        return f"{Decimal(str(value)):,.2f}"
    if kind == "pct":
        return f"{float(value) * 100:.1f} %"
    if kind == "days":
        return f"{float(value):.1f}"
    return f"{int(value):,}"


def format_change(current: object, previous: object) -> str:
    if current is None or previous is None or float(previous) == 0:
        return "–"
    change = (float(current) - float(previous)) / abs(float(previous)) * 100
    return f"{change:+.1f} %"


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
