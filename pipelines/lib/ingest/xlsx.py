""".xlsx workbooks as CSV: one UTF-8 CSV per sheet with data, cells written as text the way Excel shows them.

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

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.layout import SALESFORCE_FOOTER

TITLE_ROWS = 20  # a report's title block is at most this many rows (as LAYOUT_LINES for a CSV)
TOTAL_LABEL = re.compile(r"^(sub-?totals?|totals?|grand totals?)\b.{0,40}$", re.IGNORECASE)
_NUMBER_TEXT = re.compile(r"^[^A-Za-z]*\d[^A-Za-z]*$")  # 1.234,50 · (150.00) · $ 12,500 — no letters

FIX = "Open it in Excel and save it again as .xlsx (or export the sheet as CSV UTF-8)."


def _sheet_slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9 _-]+", "_", name).strip() or "sheet"


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


def _names(row: list[str]) -> set[str]:
    """A row's values as recognise() compares headers: trimmed, quotes and BOM off, case-folded."""
    return {t.lstrip("\ufeff").strip().strip('"').strip().casefold() for t in row if t.strip()}


def _named_row(texts: list[list[str]], wanted: frozenset[str]) -> int | None:
    """The first of the first TITLE_ROWS rows that holds every one of ``wanted`` (names compared as by recognise)."""
    return next((i for i, row in enumerate(texts[:TITLE_ROWS]) if wanted <= _names(row)), None)


def _header_index(texts: list[list[str]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> int | None:
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


def _layout(
    rows: list[list[Any]], merged: list, wanted: frozenset[str] = frozenset()
) -> tuple[SheetCsv, list[list[str]]] | None:
    """The sheet's table (header row, records) and what was left out around it; None without a header. With
    ``wanted`` (the headers a mapping recognises its file by), the header is the first row holding them all."""
    texts = [[cell_text(c) for c in row] for row in rows]
    named = _named_row(texts, wanted) if wanted else None
    header = named if named is not None else _header_index(texts, merged)
    if header is None:
        return None
    notes: list[str] = []
    # a header cell merged down from the group row over the header counts for the header
    for (r0, c0), (r1, _) in merged:
        if r0 < header <= r1 and not texts[header][c0].strip():
            texts[header][c0] = texts[r0][c0]
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


def expand_sheets(path: Path, work_dir: Path, layout: bool = True, wanted: Iterable[str] = ()) -> list[SheetCsv]:
    """Every sheet with data → ``<work_dir>/<stem>.<sheet>.csv`` (UTF-8, comma), in workbook order: its table
    (``layout``, see the module docstring; ``wanted``: the headers the file is recognised by, whose row is the
    header wherever it is in the first TITLE_ROWS rows), or every row as it is (a sheet without a header of two
    or more columns, or ``layout`` False: a mapping that pins skip_rows or header: false reads the sheet as
    written)."""
    names = frozenset(_names(list(wanted)))
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for zip/XML damage
        raise FileRejected(path, f"it is not a readable .xlsx workbook ({exc}).", FIX) from exc
    work_dir.mkdir(parents=True, exist_ok=True)
    out: list[SheetCsv] = []
    try:
        for name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = list(sheet.merged_cell_ranges or [])
            except Exception as exc:
                raise FileRejected(path, f"sheet {name!r} cannot be read ({exc}).", FIX) from exc
            while rows and not any(cell_text(c).strip() for c in rows[-1]):
                rows.pop()
            if not rows:
                continue
            found = _layout(rows, merged, names) if layout else None
            texts = found[1] if found else [[cell_text(c) for c in row] for row in rows]
            target = work_dir / f"{path.stem}.{_sheet_slug(name)}.csv"
            with target.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(texts)
            info = found[0] if found else SheetCsv("", Path(), table=False)
            table = info.table or not layout
            out.append(SheetCsv(name, target, table, info.header_row, info.left_out, info.notes, info.named))
    finally:
        workbook.close()
    if not out:
        raise FileRejected(path, "the workbook has no sheet with data.", FIX)
    return out


def expand_xlsx(path: Path, work_dir: Path) -> dict[str, Path]:
    """Every sheet with data → ``<work_dir>/<stem>.<sheet>.csv`` (its table, see expand_sheets), in workbook order."""
    return {s.name: s.path for s in expand_sheets(path, work_dir)}


def first_table(sheets: list[SheetCsv]) -> SheetCsv:
    """The sheet a file is read from when no sheet is pinned: the first whose header has the names the file is
    recognised by, else the first with a table (a cover sheet of text before the data is passed over), else the
    first with data."""
    return next((s for s in sheets if s.named), None) or next((s for s in sheets if s.table), sheets[0])


@dataclass(frozen=True)
class WorkbookTable:
    """Where a workbook's header is: the sheet, its row (1-based) and values."""

    sheet: str
    row: int
    header: list[str]


def _heads(path: Path) -> list[tuple[str, list[list[str]], list]]:
    """Each sheet with data: its name, the text of its first TITLE_ROWS + 2 rows and its merged ranges; [] when the
    workbook cannot be read (the reason is given when it is landed)."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:
        return []
    heads = []
    try:
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False, nrows=TITLE_ROWS + 2)
            texts = [[cell_text(c) for c in row] for row in rows]
            if any(t.strip() for row in texts for t in row):
                heads.append((name, texts, list(sheet.merged_cell_ranges or [])))
    except Exception:
        return []
    finally:
        workbook.close()
    return heads


def workbook_problem(path: Path) -> str | None:
    """Why a workbook cannot be read (None when it can): said instead of "not recognised" for a file no mapping
    reads, whose header could not even be looked at."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        return f"it is not a readable .xlsx workbook ({exc})"
    try:
        for name in workbook.sheet_names:
            try:
                workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=1)
            except Exception as exc:
                return f"its sheet {name!r} cannot be read ({exc})"
    finally:
        workbook.close()
    return None


def workbook_table(path: Path) -> WorkbookTable | None:
    """The header a workbook is read and recognised by when no names say where it is: that of its first sheet with
    a table, found as it is read (below a report's title rows), else the first row of its first sheet with data;
    None when it cannot be read."""
    heads = _heads(path)
    for name, texts, merged in heads:
        header = _header_index(texts, merged)
        if header is None:
            continue
        row = list(texts[header])
        for (r0, c0), (r1, _) in merged:
            if r0 < header <= r1 and c0 < len(row) and not row[c0].strip():
                row[c0] = texts[r0][c0]
        return WorkbookTable(name, header + 1, [t.strip() for t in row if t.strip()])
    if not heads:
        return None
    name, texts, _ = heads[0]
    at = next(i for i, row in enumerate(texts) if any(t.strip() for t in row))
    return WorkbookTable(name, at + 1, [t.strip() for t in texts[at] if t.strip()])


def workbook_header(path: Path) -> list[str]:
    """The values of the header a workbook is recognised by (workbook_table); [] when it cannot be read."""
    table = workbook_table(path)
    return table.header if table else []


def workbook_rows(path: Path) -> list[WorkbookTable]:
    """Every row of two or more values among the first TITLE_ROWS rows of each sheet, in workbook order: where a
    recogniser may find a header that is not where workbook_table looks (under a title row of two values, group
    labels that are not merged, a cover sheet that looks like a table)."""
    return [
        WorkbookTable(name, i + 1, [t.strip() for t in row if t.strip()])
        for name, texts, _ in _heads(path)
        for i, row in enumerate(texts[:TITLE_ROWS])
        if sum(1 for t in row if t.strip()) >= 2
    ]
