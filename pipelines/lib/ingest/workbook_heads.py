"""Where a workbook's header is, read before it is landed: for recognising which export it is (a built-in's
headers) and for saying why it is not recognised or cannot be read. The first TITLE_ROWS + 2 rows of each sheet."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.lib.ingest.sheet_layout import TITLE_ROWS, cell_text, header_cells, header_index


@dataclass(frozen=True)
class WorkbookTable:
    """Where a workbook's header is: the sheet, its row (1-based) and values."""

    sheet: str
    row: int
    header: list[str]


Heads = list[tuple[str, list[list[str]], list]]


def _read(path: Path) -> tuple[Heads, str | None]:
    """Each sheet with data: its name, the text of its first TITLE_ROWS + 2 rows and its merged ranges; and why the
    workbook cannot be read (then no sheets). Read once per version of the file: planning a run asks for its header,
    then its other rows, then why it is ignored (callers do not modify what it returns)."""
    try:
        stat = path.stat()
    except OSError as exc:
        return [], f"it is not a readable .xlsx workbook ({exc})"
    return _read_version(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _read_version(path: str, _mtime_ns: int, _size: int) -> tuple[Heads, str | None]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as exc:
        return [], f"it is not a readable .xlsx workbook ({exc})"
    heads = []
    try:
        for name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False, nrows=TITLE_ROWS + 2)
            except Exception as exc:
                return [], f"its sheet {name!r} cannot be read ({exc})"
            texts = [[cell_text(c) for c in row] for row in rows]
            if any(t.strip() for row in texts for t in row):
                heads.append((name, texts, list(sheet.merged_cell_ranges or [])))
    finally:
        workbook.close()
    return heads, None


def workbook_problem(path: Path) -> str | None:
    """Why a workbook cannot be read (None when it can): said instead of "not recognised" for a file no mapping
    reads, whose header could not even be looked at."""
    return _read(path)[1]


def workbook_table(path: Path) -> WorkbookTable | None:
    """The header a workbook is read and recognised by when no names say where it is: that of its first sheet with
    a table, found as it is read (below a report's title rows), else the first row of its first sheet with data;
    None when it cannot be read."""
    heads = _read(path)[0]
    for name, texts, merged in heads:
        header = header_index(texts, merged)
        if header is None:
            continue
        row = header_cells(texts, merged, header)
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
        for name, texts, _ in _read(path)[0]
        for i, row in enumerate(texts[:TITLE_ROWS])
        if sum(1 for t in row if t.strip()) >= 2
    ]
