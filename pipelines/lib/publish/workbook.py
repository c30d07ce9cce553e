"""The Excel workbook of one publication, written from its kpi.parquet and sections/*.parquet only.

Text from the CRM is written with ``write_string`` (never parsed as a formula) and, when it starts with
= + - @ tab or CR, with Excel's quote prefix as well, so that editing the cell cannot turn it into one either.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pipelines.lib.publish.dashboard import Frozen
from pipelines.lib.publish.formats import (
    CURRENCY,
    change_points,
    column_kinds,
    excel_format,
    fmt,
    kpi_kind,
    label,
)
from pipelines.lib.publish.glossary import definition, glossary
from pipelines.lib.publish.sections import SECTIONS

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
KPI_VALUE_COLUMNS = {"actual", "target", "prior_value", "benchmark", "old_value", "new_value"}
MAX_WIDTH = 50


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def workbook_name(grain: str, label: str, version: int) -> str:
    return f"{grain}-{label}-v{version}.xlsx"


Number = int | float | Decimal


def keep_largest(largest: dict[tuple[str, bool, bool], Number], number: Number, how: str) -> None:
    """Keep ``number`` if it is the largest of its kind, sign and (in)exactness seen so far in its column.

    A number's text (``fmt``) grows with its size for a given kind, sign and number of decimals (a kind's, or 0
    for a whole number and 2 otherwise), so the widest of a column is one of these: formatting each of a
    workbook's ~40,000 numbers only to size its columns took most of a publication's workbook time at 1M deals.
    """
    key = (how, number < 0, number == int(number))
    if key not in largest or abs(number) > abs(largest[key]):
        largest[key] = number


class Writer:
    def __init__(self, path: Path, currency: str = CURRENCY) -> None:
        self.currency = currency
        self.book = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
        )
        self.header = self.book.add_format({"bold": True, "bg_color": "#1F3A5F", "font_color": "#FFFFFF"})
        self.quoted = self.book.add_format({"quote_prefix": True})
        self.formats: dict[str, object] = {}

    def number_format(self, how: str) -> object:
        if how not in self.formats:
            self.formats[how] = self.book.add_format({"num_format": excel_format(how, self.currency) or "General"})
        return self.formats[how]

    def cell(self, sheet: Worksheet, row: int, col: int, value: object, how: str) -> int | None:
        """Write one value; returns its display width, None for a number (``table`` measures the widest)."""
        if value is None:
            sheet.write_blank(row, col, None)
            return 1
        if isinstance(value, str):
            sheet.write_string(row, col, value, self.quoted if is_formula_like(value) else None)
            return len(value)
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, value, self.number_format("datetime"))
        elif isinstance(value, date):
            sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), self.number_format("date"))
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, col, float(value), self.number_format(how))
            return None
        else:
            sheet.write_string(row, col, str(value))
        return len(fmt(value, how, self.currency))

    def table(self, name: str, rows: list[dict], kpi_rows: bool = False) -> None:
        """One sheet of rows under headers in words, the page's ("Win rate", not win_rate)."""
        sheet = self.book.add_worksheet(name)
        columns = column_kinds(rows)
        widths = [len(label(c)) for c, _ in columns]
        largest: list[dict[tuple[str, bool, bool], Number]] = [{} for _ in columns]
        for col, (column, _) in enumerate(columns):
            sheet.write_string(0, col, label(column), self.header)
        for r, row in enumerate(rows, start=1):
            for col, (column, how) in enumerate(columns):
                if kpi_rows and column in KPI_VALUE_COLUMNS:
                    how = kpi_kind(row)
                width = self.cell(sheet, r, col, row[column], how)
                if width is None:
                    keep_largest(largest[col], row[column], how)
                else:
                    widths[col] = max(widths[col], width)
        for col, numbers in enumerate(largest):
            widths[col] = max([widths[col], *(len(fmt(n, how, self.currency)) for (how, _, _), n in numbers.items())])
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(width, MAX_WIDTH) + 2)
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(columns) - 1)


def readme(writer: Writer, frozen: Frozen, meta: dict[str, object]) -> None:
    sheet = writer.book.add_worksheet("README")
    bold = writer.book.add_format({"bold": True})
    title = writer.book.add_format({"bold": True, "font_size": 14})
    sheet.write_string(0, 0, f"Sales performance: {meta['grain']} publication {meta['label']}", title)
    lines = [
        ("Snapshot", str(meta["snapshot_id"])),
        ("Version", str(meta["version"])),
        ("Published (UTC)", f"{meta['published_at']:%Y-%m-%d %H:%M}"),
        ("Period", f"{frozen.kpis[0]['period_start']} to {frozen.kpis[0]['period_end']}"),
        ("Scorecard source", str(meta["source"])),
        ("Currency", f"{meta.get('currency') or CURRENCY} (publish: reporting_currency in salesmetrics.yml)"),
        ("Generated from", "kpi.parquet and sections/*.parquet of this publication: exactly what was published."),
    ]
    row = 2
    for key, value in lines:
        sheet.write_string(row, 0, key, bold)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Sheet", writer.header)
    sheet.write_string(row, 1, "What it holds", writer.header)
    sheet.write_string(row + 1, 0, "KPIs")
    sheet.write_string(row + 1, 1, "The frozen scorecard: every KPI for the company, each team and each rep.")
    row += 2
    if frozen.restatements:
        sheet.write_string(row, 0, "Restatements")
        sheet.write_string(
            row,
            1,
            f"What changed since version {int(meta['version']) - 1}: each KPI that moved (old and "
            "new value, the deals whose rows changed, the export that changed them); Restated deals: those deals "
            "(change 'deleted': deleted in the CRM, by the export named).",
        )
        row += 1
    for section in SECTIONS:
        sheet.write_string(row, 0, section.title)
        available = section.name in frozen.sections
        sheet.write_string(row, 1, section.description if available else "Not available in this publication.")
        row += 1
    row += 1
    sheet.write_string(row, 0, "Column or KPI", writer.header)
    sheet.write_string(row, 1, "Definition", writer.header)
    for name, text in glossary().items():
        row += 1
        sheet.write_string(row, 0, label(name))
        sheet.write_string(row, 1, text)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 110)
    sheet.freeze_panes(1, 0)


def kpi_sheet_row(row: dict) -> dict:
    """A frozen scorecard row as the KPIs sheet shows it: a rate's change also in points, then its definition."""
    shown: dict = {}
    for column, value in row.items():
        shown[column] = value
        if column == "change_pct":
            shown["change_pt"] = change_points(row)
    return shown | {"definition": definition(row["kpi"])}


def write_workbook(path: Path, frozen: Frozen, **meta: object) -> Path:
    writer = Writer(path, str(meta.get("currency") or CURRENCY))
    readme(writer, frozen, meta)
    writer.table("KPIs", [kpi_sheet_row(r) for r in frozen.kpis], kpi_rows=True)
    if frozen.restatements:
        writer.table("Restatements", frozen.restatements.get("kpis", []), kpi_rows=True)
        writer.table("Restated deals", frozen.restatements.get("opportunities", []))
    for section in SECTIONS:
        if section.name in frozen.sections:
            writer.table(section.title[:31], frozen.sections[section.name])
    writer.book.close()
    return path
