"""A spreadsheet sheet read as its table (pipelines/lib/ingest/xlsx.py writes it as CSV).

A sheet laid out as a report (a Salesforce "formatted report" export, a hand-made summary) is read as its table:
the header is the first of its first TITLE_ROWS rows with two or more values; the rows above it (one value each:
report name, "Filtered By: …", blank) are its title and are left out. A row of merged group labels directly above
such a row ("Deal" over three columns, "Dates" over two) is a group row: the header is the row below it, and a
header cell merged down over both rows counts for the header. Columns empty from the header down (Salesforce leaves
column A empty) are left out. Below the rows, a footer (one-value rows that start with a blank row or hold
Salesforce's "Confidential Information - Do Not Distribute" / "Copyright (c) … salesforce.com" texts) is left out,
and so are blank rows and total rows ("Subtotal", "Total", "Grand Total", maybe after its group's values, then
numbers only) between the records: a total is not a record. A data cell merged down over several rows holds its
value (text or date, never a number: a merged amount is one amount) for each of them. What was left out is said in
the sheet's notes, with the sheet's row numbers; the rows read keep their sheet row numbers as their line
(``left_out`` lets the reader restore them). When the headers the file is recognised by are known (a built-in's
``recognise``), the first row holding them all is the header, whatever is above it, on the first sheet that has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipelines.lib.ingest.layout import SALESFORCE_FOOTER
from pipelines.lib.ingest.recognise import header_key

TITLE_ROWS = 20  # a report's title block is at most this many rows (as LAYOUT_LINES for a CSV)
TOTAL_LABEL = re.compile(r"^(sub-?totals?|totals?|grand totals?)\b.{0,40}$", re.IGNORECASE)
_NUMBER_TEXT = re.compile(r"^[^A-Za-z]*\d[^A-Za-z]*$")  # 1.234,50 · (150.00) · $ 12,500 — no letters


def cell_text(value: Any) -> str:
    """A spreadsheet cell as CSV text: ISO dates, numbers as written (0.1 stays 0.1, 12.0 is 12)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        # Excel keeps 15 significant digits; more is binary noise (0.30000000000000004).
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


@dataclass(frozen=True)
class SheetCsv:
    """One sheet as the CSV the reader reads, and where its table was found."""

    name: str
    path: Path
    table: bool = True  # a header of two or more columns was found (a cover sheet of text has none)
    header_row: int = 1  # the sheet row (1-based) the CSV's first line is
    left_out: tuple[int, ...] = ()  # sheet rows between the header and the last record that were not written
    notes: tuple[str, ...] = ()
    named: bool = False  # its header was found by the names the mapping recognises its file by


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _rows_text(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5]) + (", …" if len(numbers) > 5 else "")
    return f"row{'s' if len(numbers) > 1 else ''} {shown}"


def _is_number(value: Any, text: str) -> bool:
    return (isinstance(value, int | float | Decimal) and not isinstance(value, bool)) or bool(_NUMBER_TEXT.match(text))


def header_names(row: list[str]) -> set[str]:
    """A row's values as recognise() compares headers (header_key)."""
    return {header_key(t) for t in row if t.strip()}


def _named_row(texts: list[list[str]], wanted: frozenset[str]) -> int | None:
    """The first of the first TITLE_ROWS rows that holds every one of ``wanted`` (names compared as by recognise)."""
    return next((i for i, row in enumerate(texts[:TITLE_ROWS]) if wanted <= header_names(row)), None)


def header_index(texts: list[list[str]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> int | None:
    """The 0-based row of the header: the first of the first TITLE_ROWS rows with two or more values, or the row
    below it when it is a group row (a cell merged across columns, each of its values the first cell of a merged
    range, and the row below more values, none a number)."""
    filled = [sum(1 for t in row if t.strip()) for row in texts[: TITLE_ROWS + 1]]
    first = next((i for i, n in enumerate(filled[:TITLE_ROWS]) if n >= 2), None)
    if first is None or first + 1 >= len(texts):
        return first
    starts = {(r0, c0) for (r0, c0), _ in merged}
    across = any(r0 == first == r1 and c1 > c0 for (r0, c0), (r1, c1) in merged)
    labels = [c for c, t in enumerate(texts[first]) if t.strip()]
    below = [t for t in texts[first + 1] if t.strip()]
    if (
        across
        and all((first, c) in starts for c in labels)
        and len(below) > len(labels)
        and not any(_NUMBER_TEXT.match(t) for t in below)
    ):
        return first + 1
    return first


def _is_total(cells: list[tuple[Any, str]], width: int) -> bool:
    """A total row: a "Subtotal" / "Total" / "Grand Total" label, after it only numbers, and some cells blank; the
    label may follow its group's values (``Anna Schmidt | Subtotal | | 15,700.50``). A record has text after its
    name (its stage, its currency), so a deal named "Total Gym" is never one."""
    label = next((i for i, (_, t) in enumerate(cells) if TOTAL_LABEL.match(t)), None)
    return (
        label is not None
        and len(cells) < width
        and all(_is_number(v, t) or TOTAL_LABEL.match(t) for v, t in cells[label + 1 :])
    )


def header_cells(texts: list[list[str]], merged: list, header: int) -> list[str]:
    """The header row's cells, a cell merged down over it from the group row above holding that cell's value."""
    row = list(texts[header])
    for (r0, c0), (r1, _) in merged:
        if r0 < header <= r1 and c0 < len(row) and not row[c0].strip():
            row[c0] = texts[r0][c0]
    return row


def sheet_table(
    rows: list[list[Any]], merged: list, wanted: frozenset[str] = frozenset()
) -> tuple[SheetCsv, list[list[str]]] | None:
    """The sheet's table (header row, records) and what was left out around it; None without a header. With
    ``wanted`` (the headers a mapping recognises its file by), the header is the first row holding them all."""
    texts = [[cell_text(c) for c in row] for row in rows]
    named = _named_row(texts, wanted) if wanted else None
    header = named if named is not None else header_index(texts, merged)
    if header is None:
        return None
    notes: list[str] = []
    texts[header] = header_cells(texts, merged, header)
    blank = [not any(t.strip() for t in row) for row in texts]
    note = [sum(1 for t in row if t.strip()) == 1 and not _is_number(None, next(t for t in row if t.strip()))
            if not b else False for row, b in zip(texts, blank, strict=True)]  # fmt: skip
    # footer: a run of blank or one-value rows at the end, starting blank or holding Salesforce's texts
    end = len(texts)
    start = end
    while start - 1 > header + 1 and (blank[start - 1] or note[start - 1]):
        start -= 1
    footer_texts = [next(t for t in texts[r] if t.strip()).strip() for r in range(start, end) if not blank[r]]
    if start < end and footer_texts and (blank[start] or any(SALESFORCE_FOOTER.match(t) for t in footer_texts)):
        end = start
    else:
        footer_texts = []
    body = range(header + 1, end)
    used = sorted({c for r in (header, *body) for c, t in enumerate(texts[r]) if t.strip()})
    first_col, last_col = used[0], used[-1]
    totals, blanks = [], []
    for r in body:
        cells = [(rows[r][c], texts[r][c].strip()) for c in range(first_col, last_col + 1) if texts[r][c].strip()]
        if not cells:
            blanks.append(r)
        elif _is_total(cells, last_col - first_col + 1):
            totals.append(r)
    dropped = set(totals) | set(blanks)
    # a data cell merged down: its value (not a number) for each record it spans (not a total row it may cover)
    filled_down: dict[int, int] = {}  # column → cells given a merged value
    for (r0, c0), (r1, _) in merged:
        if r0 <= header or r1 == r0 or r0 >= end or c0 >= len(texts[r0]):
            continue
        if texts[r0][c0].strip() and not _is_number(rows[r0][c0], texts[r0][c0]):
            for r in range(r0 + 1, min(r1, end - 1) + 1):
                if r not in dropped and not texts[r][c0].strip():
                    texts[r][c0] = texts[r0][c0]
                    filled_down[c0] = filled_down.get(c0, 0) + 1
    if header:
        title = [t.strip() for row in texts[:header] for t in row if t.strip()]
        notes.append(
            f"{header} row{'s' if header > 1 else ''} above the header (row {header + 1}) skipped"
            + (f" ({' / '.join(title)[:200]!r})" if title else "")
        )
    if first_col:
        span = "A" if first_col == 1 else f"A-{_column(first_col - 1)}"
        notes.append(f"empty column{'s' if first_col > 1 else ''} {span} left out")
    if filled_down:
        count = sum(filled_down.values())
        names = ", ".join(repr(texts[header][c].strip() or _column(c)) for c in sorted(filled_down))
        notes.append(f"{count} cell{'s' if count > 1 else ''} under merged cells ({names}) read as the merged value")
    if totals:
        labels = sorted({next(t for t in texts[r] if TOTAL_LABEL.match(t.strip())).strip() for r in totals})
        notes.append(
            f"{len(totals)} total row{'s' if len(totals) > 1 else ''} ({', '.join(repr(x) for x in labels[:3])}; "
            f"{_rows_text([r + 1 for r in totals])}) left out: a total is not a record"
        )
    if blanks:
        shown = _rows_text([r + 1 for r in blanks])
        notes.append(f"{len(blanks)} blank row{'s' if len(blanks) > 1 else ''} ({shown}) left out")
    if footer_texts:
        notes.append(
            f"{len(texts) - end} footer row{'s' if len(texts) - end > 1 else ''} after row {end} ignored "
            f"({' / '.join(footer_texts)[:200]!r})"
        )
    table = [texts[header][first_col : last_col + 1]] + [
        texts[r][first_col : last_col + 1] for r in body if r not in dropped
    ]
    info = SheetCsv(
        "", Path(), True, header + 1, tuple(r + 1 for r in sorted(dropped)), tuple(notes), named is not None
    )
    return info, table
