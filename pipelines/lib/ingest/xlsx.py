""".xlsx workbooks as CSV: one UTF-8 CSV per sheet with data, cells written as text the way Excel shows them."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipelines.lib.ingest.files import FileRejected


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


def expand_xlsx(path: Path, work_dir: Path) -> dict[str, Path]:
    """Every sheet with data → ``<work_dir>/<stem>.<sheet>.csv`` (UTF-8, comma), in workbook order."""
    from python_calamine import CalamineWorkbook

    fix = "Open it in Excel and save it again as .xlsx (or export the sheet as CSV UTF-8)."
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for zip/XML damage
        raise FileRejected(path, f"it is not a readable .xlsx workbook ({exc}).", fix) from exc
    work_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    try:
        for name in workbook.sheet_names:
            try:
                rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise FileRejected(path, f"sheet {name!r} cannot be read ({exc}).", fix) from exc
            texts = [[cell_text(c) for c in row] for row in rows]
            while texts and not any(texts[-1]):
                texts.pop()
            if not texts:
                continue
            target = work_dir / f"{path.stem}.{_sheet_slug(name)}.csv"
            with target.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(texts)
            out[name] = target
    finally:
        workbook.close()
    if not out:
        raise FileRejected(path, "the workbook has no sheet with data.", fix)
    return out
