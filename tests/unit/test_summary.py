"""The run summary (pipelines/cli/summary.py): figures rounded to the cent half up, never truncated at any width."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from rich.console import Console

from pipelines.cli.summary import MonthSummary, format_value, summary_tables


def row(kpi: str, label: str, unit: str, actual, prior=None, change=None, target=None, status=None, bench=None):
    return {
        "kpi": kpi, "kpi_label": label, "kpi_unit": unit, "actual": actual, "prior_value": prior,
        "change_pct": change, "target": target, "status": status, "benchmark": bench,
    }  # fmt: skip


# A large company month: exact DECIMAL(38,6) figures as the marts hold them.
SUMMARY = MonthSummary(
    period_start=date(2026, 5, 1),
    period_end=date(2026, 5, 31),
    company=[
        row(
            "revenue",
            "Revenue",
            "currency",
            Decimal("17440123.455000"),
            Decimal("16987654.321000"),
            0.026635,
            Decimal("18000000.000000"),
            "at_risk",
            Decimal("15500000.000000"),
        ),
        row("deals_won", "Deals won", "count", Decimal("1234"), Decimal("1187"), 0.0396, Decimal("1300"), "at_risk"),
        row(
            "win_rate",
            "Win rate",
            "rate",
            Decimal("0.312345"),
            Decimal("0.298"),
            0.0481,
            Decimal("0.3"),
            "on_track",
            Decimal("0.25"),
        ),
        row(
            "avg_deal_size",
            "Average deal size",
            "currency",
            Decimal("14133.000000"),
            Decimal("14311.419000"),
            -0.0125,
            None,
            None,
            Decimal("12000.000000"),
        ),
        row("avg_sales_cycle_days", "Average sales cycle", "days", Decimal("43.250000"), Decimal("45.1"), -0.041),
        row("lead_conversion_rate", "Lead conversion rate", "rate", Decimal("0.1052"), None, None, None, None),
        row(
            "cac",
            "Customer acquisition cost",
            "currency",
            Decimal("123456.789500"),
            Decimal("98765.4321"),
            0.25,
            Decimal("100000"),
            "off_track",
            Decimal("150000.005"),
        ),
        row(
            "historical_clv",
            "Historical customer lifetime value",
            "currency",
            Decimal("2345678.125000"),
            Decimal("2300000"),
            0.0198,
        ),
        row(
            "open_pipeline_amount",
            "Open pipeline amount",
            "currency",
            Decimal("98765432.105000"),
            Decimal("97000000.995000"),
            0.0182,
        ),
    ],  # fmt: skip
    teams=[
        {
            "team": "Enterprise North America and Canada",
            "revenue": Decimal("9876543.215000"),
            "target": Decimal("10000000.000000"),
            "attainment": 0.987654,
            "status": "at_risk",
        },
        {"team": "SMB", "revenue": Decimal("7563580.240000"), "target": None, "attainment": None, "status": None},
    ],  # fmt: skip
)


def render(width: int) -> str:
    # as the CLI prints (pipelines/cli/__init__.py: Console(soft_wrap=True)), at the terminal's width
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False, soft_wrap=True)
    for table in summary_tables(SUMMARY, width=width):
        console.print(table)
    return console.file.getvalue()


def test_money_is_rounded_to_the_cent_half_up() -> None:
    # As Excel's ROUND and DuckDB's round do: a half cent goes away from zero, not to the even cent.
    assert format_value(Decimal("1234.565000"), "currency") == "1,234.57"
    assert format_value(Decimal("0.125"), "currency") == "0.13"
    assert format_value(Decimal("-0.125"), "currency") == "-0.13"
    assert format_value(Decimal("17440123.455000"), "currency") == "17,440,123.46"
    assert format_value(Decimal("0.312345"), "rate") == "31.2 %"
    assert format_value(Decimal("0.00125"), "rate") == "0.1 %"
    assert format_value(Decimal("43.25"), "days") == "43.3"
    assert format_value(Decimal("1234"), "count") == "1,234"
    assert format_value(None, "currency") == "–"


# Per column of each table, the figures it shows (SUMMARY's, formatted).
COLUMNS = {
    "May 2026": ["17,440,123.46", "1,234", "31.2 %", "14,133.00", "43.3", "10.5 %", "123,456.79", "2,345,678.13",
                 "98,765,432.11"],
    "previous month": ["16,987,654.32", "1,187", "29.8 %", "14,311.42", "45.1", "98,765.43", "2,300,000.00",
                       "97,000,001.00"],
    "change": ["+2.7 %", "+4.0 %", "+4.8 %", "-1.3 %", "-4.1 %", "+25.0 %", "+2.0 %", "+1.8 %"],
    "target": ["18,000,000.00", "1,300", "30.0 %", "100,000.00", "10,000,000.00"],
    "status": ["on track", "at risk", "off track"],
    "benchmark": ["15,500,000.00", "25.0 %", "12,000.00", "150,000.01"],
    "revenue": ["9,876,543.22", "7,563,580.24"],
    "attainment": ["98.8 %"],
}  # fmt: skip
ALWAYS = ("May 2026", "status", "revenue")


@pytest.mark.parametrize("width", [80, 60])
def test_no_figure_is_truncated_in_a_narrow_terminal(width: int) -> None:
    text = render(width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "…" not in text
    # Columns that do not fit are left out whole, and the table's caption names them.
    captions = re.findall(r"Not shown at this width: ([a-z ,]+)", " ".join(line.strip() for line in lines))
    dropped = {name.strip() for caption in captions for name in caption.split(",")}
    assert dropped.isdisjoint(ALWAYS) and dropped < set(COLUMNS)
    # Every figure of every column shown is there in full, on one line.
    for column, figures in COLUMNS.items():
        for figure in figures:
            whole = re.compile(rf"(?<![\d,.+-]){re.escape(figure)}(?![\d,.])")
            shown = any(whole.search(line) for line in lines)
            assert shown == (column not in dropped), (width, column, figure, text)


def test_a_wide_terminal_shows_every_column() -> None:
    text = render(160)
    for figure in ("16,987,654.32", "+2.7 %", "15,500,000.00", "150,000.01", "97,000,001.00"):
        assert figure in text, figure
    assert "Not shown at this width" not in text


def test_at_80_columns_the_change_is_kept_and_the_benchmark_left_out() -> None:
    text = render(80)
    assert "+2.7 %" in text and "-1.3 %" in text
    assert "15,500,000.00" not in text
    assert "Not shown at this width: previous month, benchmark" in text


def test_under_100_columns_the_layout_is_compact() -> None:
    """Below 100 columns the tables drop their border and vertical rules, so more figures fit (never cut)."""
    narrow, wide = render(80), render(100)
    assert "│" not in narrow and "┃" not in narrow and "│" in wide
    assert max(len(line) for line in narrow.splitlines()) <= 80
    # at 99 columns every column fits without the box (boxed, the benchmark was left out)
    assert "Not shown at this width" not in render(99) and "15,500,000.00" in render(99)
