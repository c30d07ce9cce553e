"""The KPI summary printed after a run: the company's scorecard for the last closed month, and its teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
from rich import box
from rich.console import JustifyMethod
from rich.table import Table
from rich.text import Text

# The company KPIs the summary shows, in order (all of them are in marts.kpi_scorecard).
COMPANY_KPIS: tuple[str, ...] = (
    "revenue",
    "deals_won",
    "win_rate",
    "win_rate_by_amount",
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


def _half_up(value: object, places: int) -> Decimal:
    """Rounded for reading: half away from zero (as Excel's ROUND and DuckDB's round), never to the even digit."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_value(value: object, unit: str) -> str:
    """A figure as people read it: money to the cent, rates in % to one decimal, days to one decimal (half up).

    The marts hold money exact (DECIMAL(38,6)); this is the only place the summary rounds it.
    """
    if value is None:
        return "–"
    if unit == "currency":
        return f"{_half_up(value, 2):,.2f}"
    if unit == "rate":
        return f"{_half_up(Decimal(str(value)) * 100, 1):.1f} %"
    if unit in ("days", "ratio"):
        return f"{_half_up(value, 1):,.1f}"
    return f"{_half_up(value, 0):,.0f}"


def format_change(change_pct: object) -> str:
    return "–" if change_pct is None else f"{_half_up(Decimal(str(change_pct)) * 100, 1):+.1f} %"


@dataclass(frozen=True)
class _Column:
    header: str
    justify: JustifyMethod
    cells: list[str]  # Rich markup
    drop_rank: int | None = None  # None: always shown; otherwise left out, lowest rank first, when the width is short
    is_label: bool = False  # the one column that wraps (KPI or team names)

    def width(self) -> int:
        """The narrowest width showing every cell on one line (the header may wrap between words)."""
        cells = [Text.from_markup(cell).cell_len for cell in self.cells]
        return max([*cells, *(len(word) for word in self.header.split())])


COMPACT_BELOW = 100  # terminal width under which the summary drops its borders
LABEL_MIN_WIDTH = 12  # a label column narrower than this breaks words ("acquisition", "conversion")


def _fit(title: str, columns: list[_Column], width: int | None) -> Table:
    """A table no wider than ``width`` in which no figure is ever cut: whole columns are left out instead.

    Figures never wrap or truncate: every column but the label gets the width of its widest cell. When they do
    not fit beside a label column of LABEL_MIN_WIDTH, columns are left out by drop_rank (the least important
    first) and the caption names them; when even the label and the month's figure do not fit, every row is
    stacked, one figure a line.
    """
    kept = list(columns)
    dropped: list[_Column] = []

    # Under COMPACT_BELOW columns the table loses its outer border and vertical rules (one space between
    # columns), which keeps the previous month at 80 columns; wider, Rich's default box.
    compact = width is not None and width < COMPACT_BELOW

    def frame(cols: list[_Column]) -> int:
        # default box: a rule before every column and after the last, one space of padding each side;
        # compact: one space between columns plus their padding, none at the edges.
        return 3 * len(cols) - 3 if compact else 3 * len(cols) + 1

    def needed(cols: list[_Column]) -> int:
        return sum(LABEL_MIN_WIDTH if c.is_label else c.width() for c in cols) + frame(cols)

    if width is not None:
        for column in sorted((c for c in columns if c.drop_rank is not None), key=lambda c: c.drop_rank or 0):
            if needed(kept) <= width:
                break
            kept.remove(column)
            dropped.append(column)
        if needed(kept) > width:
            return _stacked(title, columns)
    fixed = sum(c.width() for c in kept if not c.is_label) + frame(kept)
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False) if compact else Table(title=title)
    if dropped:
        shown = [c.header for c in columns if c in dropped]
        table.caption = f"Not shown at this width: {', '.join(shown)}."
    for column in kept:
        if column.is_label:
            natural = max(column.width(), *(Text.from_markup(cell).cell_len for cell in column.cells))
            label_width = natural if width is None else max(LABEL_MIN_WIDTH, min(natural, width - fixed))
            table.add_column(column.header, justify=column.justify, width=label_width, overflow="fold")
        else:
            table.add_column(column.header, justify=column.justify, width=column.width())
    for cells in zip(*(c.cells for c in kept), strict=True):
        table.add_row(*cells)
    return table


def _stacked(title: str, columns: list[_Column]) -> Table:
    """One line per figure: "label" then "  header: figure" for every other column, for the narrowest terminals."""
    label = next(c for c in columns if c.is_label)
    others = [c for c in columns if not c.is_label]
    table = Table.grid()
    table.title = title
    table.add_column(overflow="fold")
    for index, name in enumerate(label.cells):
        table.add_row(f"[bold]{name}[/]")
        for column in others:
            table.add_row(f"  {column.header}: {column.cells[index]}")
    return table


def summary_tables(summary: MonthSummary, width: int | None = None) -> list[Table]:
    """The company scorecard and the teams against their revenue targets, as Rich tables.

    ``width`` is the terminal's: columns that do not fit are left out whole (benchmark first, then the previous
    month, the change, the target), so a figure is never cut ("17,440,…"); None shows every column.
    """
    rows = summary.company

    def figures(key: str) -> list[str]:
        return [format_value(row[key], str(row["kpi_unit"])) for row in rows]

    company = [
        _Column("KPI", "left", [str(row["kpi_label"]) for row in rows], is_label=True),
        _Column(f"{summary.period_start:%b %Y}", "right", figures("actual")),
        _Column("previous month", "right", figures("prior_value"), drop_rank=2),
        _Column("change", "right", [format_change(row["change_pct"]) for row in rows], drop_rank=3),
        _Column("target", "right", figures("target"), drop_rank=4),
        _Column("status", "left", [STATUS_STYLE.get(str(row["status"]), "–") for row in rows]),
        _Column("benchmark", "right", figures("benchmark"), drop_rank=1),
    ]
    tables = [_fit(f"{summary.period_start:%B %Y} (last closed month): company scorecard", company, width)]
    if summary.teams:
        teams = summary.teams
        team_columns = [
            _Column("team", "left", [str(row["team"]) for row in teams], is_label=True),
            _Column("revenue", "right", [format_value(row["revenue"], "currency") for row in teams]),
            _Column("target", "right", [format_value(row["target"], "currency") for row in teams], drop_rank=2),
            _Column("attainment", "right", [format_value(row["attainment"], "rate") for row in teams], drop_rank=1),
            _Column("status", "left", [STATUS_STYLE.get(str(row["status"]), "–") for row in teams]),
        ]
        tables.append(_fit("Teams: revenue against target", team_columns, width))
    return tables


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
