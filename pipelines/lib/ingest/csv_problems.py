"""Why DuckDB's CSV reader cannot read a file, found in the file itself: an unclosed or undoubled quote, lines
with different numbers of fields. Each answer is (problem, fix, line) for a FileRejected."""

from __future__ import annotations

import csv
import re
from pathlib import Path


def quoting_problem(readable: Path, columns: list[str]) -> tuple[str, str, int | None]:
    """(problem, fix, line) when DuckDB read a quoted file without quoting: the first line that breaks it."""
    with readable.open(encoding="utf-8", errors="replace", newline="") as handle:
        first = handle.readline()
        delimiter = max(",;\t|", key=first.count)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            for _ in reader:
                pass
        except csv.Error as exc:
            line = reader.line_num
            if "expected after" in str(exc):
                problem = f"line {line} has a quote inside a quoted value that is not doubled"
            else:
                problem = f"line {line} cannot be read with its quotes ({exc})"
            return (
                f"{problem}, so the file can only be read without quoting, and then its header names keep "
                f"their quotes ({', '.join(columns[:3])}, …).",
                'Double every quote inside a quoted value ("" for ") or export the file again.',
                line,
            )
    return (
        f"its quoting cannot be worked out: the header names are read with their quotes ({', '.join(columns[:3])}, …).",
        "Export the file again as CSV.",
        1,
    )


def unreadable_because(readable: Path, duckdb_says: str) -> tuple[str, str, int | None]:
    """(problem, fix, line) for a file DuckDB's CSV sniffer gave up on: the first thing found wrong with it."""
    with readable.open(encoding="utf-8", errors="replace", newline="") as handle:
        head = handle.read(1 << 16)
    lines = head.splitlines()
    if head.count('"') % 2 and len(head) < (1 << 16):
        opened = next((n for n in range(1, len(lines) + 1) if "\n".join(lines[:n]).count('"') % 2), None)
        return (
            f"a quote opened on line {opened} is never closed, so the rest of the file reads as one value.",
            "Export the file again; if it was edited by hand, double every quote inside a quoted value.",
            opened,
        )
    delimiter = max(",;\t|", key=lambda d: lines[0].count(d)) if lines else ","
    counts = [len(row) for row in csv.reader(lines[:50], delimiter=delimiter) if row]
    if counts and counts.count(counts[0]) < len(counts):
        line = next(n for n, c in enumerate(counts, start=1) if c != counts[0])
        return (
            f"its lines do not have one number of fields (line 1 has {counts[0]}, line {line} has "
            f"{counts[line - 1]}, separated by {delimiter!r}), so no delimiter and quoting fit the whole file "
            f"(DuckDB: {duckdb_says}).",
            "Export it again as CSV; a value with the delimiter in it must be in quotes.",
            line,
        )
    return (
        f"DuckDB's CSV reader cannot work out its delimiter and quoting ({duckdb_says}).",
        "Check that it is a complete comma-, semicolon-, tab- or pipe-separated text export.",
        None,
    )


def too_many_columns(
    readable: Path, limit: int, skip: int = 0, delimiter: str | None = None
) -> tuple[str, str, int] | None:
    """(problem, fix, line) when the header has more fields than ``limit``, counted before DuckDB reads anything."""
    with readable.open(encoding="utf-8", errors="replace", newline="") as handle:
        for _ in range(skip):
            handle.readline()
        header = handle.readline()
    delimiter = delimiter or max(",;\t|", key=header.count)
    count = len(next(csv.reader([header], delimiter=delimiter), []))
    if count <= limit:
        return None
    return (
        f"its header has {count:,} columns, more than the {limit:,} a file may have (ingest.max_columns in "
        "salesmetrics.yml); no CRM object has that many fields, so it was not read.",
        "Export the object again with its own fields, or raise ingest.max_columns if the columns are real.",
        skip + 1,
    )


_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded")


def duckdb_cause(error: str) -> str:
    """DuckDB's error without the offending line it quotes and its option dump: what it says went wrong."""
    kept = []
    for line in error.strip().splitlines():
        if not line.strip():
            break  # the option dump ("  file = …") follows the first blank line
        if not line.startswith(("Original Line:", "Possible Solution:")):
            kept.append(line.strip())
    return " ".join(kept)


def oversized_line(readable: Path, duckdb_says: str) -> tuple[str, str, int] | None:
    """(problem, fix, line) for a line longer than DuckDB's maximum line size: the true line (DuckDB says 1)."""
    found = _LINE_SIZE.search(duckdb_says)
    if found is None:
        return None
    limit = int(found[1])
    with readable.open("rb") as handle:
        number, size = 1, 0
        while chunk := handle.readline(1 << 20):  # a line of any length, in pieces of 1 MB
            size += len(chunk)
            if size > limit:
                break
            if chunk.endswith(b"\n"):
                number, size = number + 1, 0
        else:
            return None
    return (
        f"line {number} is longer than the {limit:,} bytes DuckDB's CSV reader takes on one line (DuckDB: "
        f"{found[0]}): a value that long is no CRM field (a pasted document, or a quote that is never closed).",
        "Shorten or remove that value, or export the object again.",
        number,
    )
