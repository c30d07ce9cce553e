"""kpi.csv: text a spreadsheet would evaluate is quoted; numbers and other text are untouched."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from pipelines.lib.publish.snapshot_files import csv_safe_select


def test_formula_leading_text_is_quoted_in_the_csv() -> None:
    with duckdb.connect() as con:
        con.execute(
            "create temp table _period as select * from (values "
            "('=HYPERLINK(\"http://x\")', -1.5), ('+1 555', 2.0), ('-5 guys', 3.0), ('@SUM(A1)', null), "
            "(chr(9) || 'tab', 4.0), ('Müller & Söhne', 5.0), ('a=b', 6.0)) as t(scope_name, actual)"
        )
        rows = con.execute(csv_safe_select(con)).fetchall()
    assert [r[0] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1 555",
        "'-5 guys",
        "'@SUM(A1)",
        "'\ttab",
        "Müller & Söhne",
        "a=b",
    ]
    assert [r[1] for r in rows] == [
        Decimal("-1.5"),
        Decimal("2.0"),
        Decimal("3.0"),
        None,
        Decimal("4.0"),
        Decimal("5.0"),
        Decimal("6.0"),
    ]
