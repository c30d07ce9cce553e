"""Amounts written with two currencies in one column of a mapped file, and no currency mapped to convert them.

``num()`` drops a currency code or symbol (``EUR 1,000.00`` → 1000), as a Salesforce report of a multi-currency
org writes every amount in its own record's currency. Without a mapped ``currency`` such a column would be summed
as one currency: the file is refused instead, naming the column, both currencies and their lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.tokens import CURRENCY_CODES, CURRENCY_SYMBOLS

# the symbols num() drops (tokens.CURRENCY_SYMBOLS), each counted as its code's currency
SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
MARKER = r"(?i)\b(" + "|".join(CURRENCY_CODES) + r")\b|([" + CURRENCY_SYMBOLS + r"])"


def refuse_mixed_currencies(
    con: duckdb.DuckDBPyConnection, path: Path, relation: str, columns: Iterable[str], lines_from: str
) -> None:
    """Raise FileRejected when one of ``columns`` writes amounts in two or more currencies."""
    for column in sorted(columns):
        quoted = '"' + column.replace('"', '""') + '"'
        found = con.execute(
            f"select upper(coalesce(nullif(regexp_extract({quoted}, ?, 1), ''), regexp_extract({quoted}, ?, 2))) "
            f"as marker, min({lines_from}) from {relation} where regexp_matches({quoted}, ?) group by 1 order by 2",
            [MARKER, MARKER, MARKER],
        ).fetchall()
        first: dict[str, int] = {}
        for marker, line in found:
            code = SYMBOLS.get(marker, marker)
            first[code] = min(line, first.get(code, line))
        if len(first) > 1:
            (a, line_a), (b, line_b) = sorted(first.items(), key=lambda item: item[1])[:2]
            raise FileRejected(
                path,
                f"column {column!r} holds amounts in more than one currency ({a} on line {line_a}, {b} on line "
                f"{line_b}) and the mapping reads no currency for them, so they would be summed as one.",
                "Map the currency of each row (currency: the column or an expression giving its ISO code, with a "
                "rates file), or export the amounts converted to one currency (Salesforce: 'Amount (converted)').",
                line=line_b,
            )
