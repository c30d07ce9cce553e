""".xlsx workbooks as CSV: one UTF-8 CSV per sheet with data, cells written as text the way Excel shows them; a
sheet laid out as a report is written as its table (pipelines/lib/ingest/sheet_layout.py)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.sheet_layout import (
    SheetCsv,
    cell_text,
    header_names,
    sheet_table,
)

FIX = "Open it in Excel and save it again as .xlsx (or export the sheet as CSV UTF-8)."


def _sheet_slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9 _-]+", "_", name).strip() or "sheet"


def expand_sheets(path: Path, work_dir: Path, layout: bool = True, wanted: Iterable[str] = ()) -> list[SheetCsv]:
    """Every sheet with data → ``<work_dir>/<stem>.<sheet>.csv`` (UTF-8, comma), in workbook order: its table
    (``layout``, see the module docstring; ``wanted``: the headers the file is recognised by, whose row is the
    header wherever it is in the first TITLE_ROWS rows), or every row as it is (a sheet without a header of two
    or more columns, or ``layout`` False: a mapping that pins skip_rows or header: false reads the sheet as
    written)."""
    names = frozenset(header_names(list(wanted)))
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
            found = sheet_table(rows, merged, names) if layout else None
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
