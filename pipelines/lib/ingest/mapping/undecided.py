"""A mapped file whose numbers are all written like 1.500 (1.5 in English, 1,500 in European) is refused until its
decimal separator is pinned: read the English way, a European export of whole amounts lands a thousand times too
small, silently."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.mapping.claims import MappedFile
from pipelines.lib.ingest.mapping.sql import quote
from pipelines.lib.ingest.numbers import tally


def undecided_points(samples: Sequence[str]) -> list[str]:
    """The values written like ``1.500`` when nothing else in the samples shows the decimal separator: 1.5 in an
    English export, fifteen hundred in a European one (whole amounts with a thousands point), and no value tells
    which. [] when the separator is decided, or when only ``1,500`` is seen: read the English way, 1500, the
    reading where the lone separator groups thousands (amounts are not written to three decimals); for ``1.500``
    that reading is the European one, against the English default, so it is not guessed."""
    votes, thousands, ambiguous = tally(samples)
    if votes["."] or votes[","] or "," in thousands or "." not in ambiguous:
        return []
    return ambiguous["."]


def refuse_undecided_points(
    con: duckdb.DuckDBPyConnection, mapped: MappedFile, relation: str, numbers: set[str], samples: list[str]
) -> None:
    """FileRejected when every number of the file with a separator is written like ``1.500`` (undecided_points): read
    the English way a European export of whole amounts would land a thousand times too small."""
    examples = undecided_points(samples)
    if not examples:
        return
    found = []  # (column, line) where the first example of each column shows
    for column in sorted(numbers):
        row = con.execute(
            f"select {quote(column)}, _source_line from {relation} where trim({quote(column)}) in "
            f"({', '.join('?' for _ in examples[:20])}) order by _source_line limit 1",
            examples[:20],
        ).fetchone()
        if row:
            found.append((column, row[0], row[1]))
    where = "; ".join(f"column {c!r}: {v!r} on line {line}" for c, v, line in found)
    shown = ", ".join(dict.fromkeys(examples[:4]))
    raise FileRejected(
        mapped.path,
        f"every number in it with a separator has a point before three digits ({shown}; {where}), which is 1.5 in an "
        "English export and 1,500 in a European one, and no value in the file shows which.",
        f'Say how the file writes numbers: under files: {mapped.key}: of the mapping, decimal: "," (European, '
        '1.500 is fifteen hundred) or decimal: "." (English, 1.500 is one and a half).',
        line=found[0][2] if found else None,
    )
