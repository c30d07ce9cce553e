"""Reading a file whatever its line breaks, encoding or report furniture; refusing one only for a true cause."""

from __future__ import annotations

import codecs
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.files import FileRejected
from pipelines.lib.loader import land_file
from pipelines.lib.salesforce import by_name

OPPORTUNITY = by_name("Opportunity")
HEADER = ("Id", "AccountId", "StageName", "Amount", "CloseDate", "CreatedDate")
ROWS = [
    ("006A", "001A", "Closed Won", "1.5E4", "2026-01-31", "2026-01-02"),
    ("006B", "001A", "Prospecting", "#N/A", "2026-02-28", "2026-01-05"),
    ("006C", "001B", "Closed Lost", "250.5", "2026-03-01", "2026-01-06"),
]


def quoted(values: tuple[str, ...]) -> str:
    return ",".join('"' + v.replace('"', '""') + '"' for v in values)


@pytest.fixture
def con():
    with duckdb.connect(":memory:") as connection:
        yield connection


def landed(con, path: Path) -> list[tuple]:
    land_file(con, OPPORTUNITY, path, path.parent / ".cache")
    return con.execute(
        'select _source_line, "Id", "StageName", "Amount" from landing.salesforce__opportunity order by 1'
    ).fetchall()


EXPECTED = [(2, "006A", "Closed Won", "1.5E4"), (3, "006B", "Prospecting", None), (4, "006C", "Closed Lost", "250.5")]


@pytest.mark.parametrize(
    ("case", "header_end", "row_end", "last_end"),
    [
        ("lf_header_crlf_rows", "\n", "\r\n", "\r\n"),  # the Salesforce org export that was refused
        ("crlf_header_lf_rows", "\r\n", "\n", "\n"),
        ("cr_only", "\r", "\r", "\r"),
        ("no_final_line_break", "\n", "\n", ""),
        ("lf_header_cr_rows", "\n", "\r", "\r"),
    ],
)
def test_any_line_breaks_load(tmp_path: Path, con, case: str, header_end: str, row_end: str, last_end: str) -> None:
    text = quoted(HEADER) + header_end + row_end.join(quoted(r) for r in ROWS) + last_end
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(text.encode())
    assert landed(con, path) == EXPECTED
    assert con.execute("select count(*) from quarantine.salesforce__opportunity").fetchone()[0] == 0


def test_a_mix_far_into_a_big_file_loads_and_quoted_line_breaks_stay(tmp_path: Path, con) -> None:
    """DuckDB sniffs the start only; a file that switches to CRLF later must not lose its last rows, and a CRLF
    inside a quoted value is part of the value, not a line end."""
    lines = [quoted(HEADER)] + [quoted((f"006{i:06d}", "001A", "Prospecting", str(i), "2026-01-31", "2026-01-02"))
                                for i in range(60_000)]  # fmt: skip
    lines[59_999] = quoted(("006LAST", "001A", "Closed Won", "7", "2026-01-31", "2026-01-02")).replace(
        '"Closed Won"', '"Closed\r\nWon"'
    )
    text = "\n".join(lines[:40_000]) + "\n" + "\r\n".join(lines[40_000:]) + "\r\n"
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(text.encode())
    result = land_file(con, OPPORTUNITY, path, tmp_path / ".cache")
    assert (result.rows, result.malformed) == (60_000, 0)
    assert con.execute(
        'select _source_line, "StageName" from landing.salesforce__opportunity where "Id" = \'006LAST\''
    ).fetchone() == (60_000, "Closed\r\nWon")
    assert result.notes == ("mixed line breaks (LF 40,000, CRLF 20,002) read as one kind",)


def test_a_file_cut_short_is_refused_as_cut_short(tmp_path: Path, con) -> None:
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(
        (",".join(HEADER) + "\r\n" + "\r\n".join(",".join(r) for r in ROWS) + "\r\n006D,001B,Pro").encode()
    )
    with pytest.raises(FileRejected) as raised:
        landed(con, path)
    assert raised.value.line == 5 and "ends in the middle of a record" in raised.value.problem


@pytest.mark.parametrize("end", ["\r", ""])
def test_a_last_line_with_an_extra_field_is_quarantined_not_called_cut_short(tmp_path: Path, con, end: str) -> None:
    """A CR-only file, or a last line with a field too many and no line break, was not cut short."""
    sep = "\r"
    path = tmp_path / "Opportunity.csv"
    rows = [",".join(r) for r in ROWS] + ["006D,001B,Prospecting,10,unquoted comma,2026-04-30,2026-01-07"]
    path.write_bytes((",".join(HEADER) + sep + sep.join(rows) + end).encode())
    assert [r[1] for r in landed(con, path)] == ["006A", "006B", "006C"]
    assert con.execute("select _source_line, rule from quarantine.salesforce__opportunity").fetchall() == [
        (5, "malformed_row")
    ]


def test_a_file_that_truly_cannot_be_read_says_why(tmp_path: Path, con) -> None:
    """Mixed line breaks and a quote that is never closed: the quote swallows the rest of the file, so its line
    breaks cannot be told apart from the value's. The message names the quote and its line, not the breaks."""
    path = tmp_path / "Opportunity.csv"
    rows = [",".join(r) for r in ROWS]
    rows[1] = rows[1].replace("Prospecting", '"Prospecting')
    path.write_bytes((",".join(HEADER) + "\n" + "\r\n".join(rows) + "\r\n").encode())
    with pytest.raises(FileRejected) as raised:
        landed(con, path)
    assert str(raised.value) == (
        f"{path}, line 3: a quote opened on line 3 is never closed, so the rest of the file reads as one value. "
        "Fix: Export the file again; if it was edited by hand, double every quote inside a quoted value."
    )


def test_utf16_without_byte_order_mark_is_text_not_binary(tmp_path: Path, con) -> None:
    path = tmp_path / "Opportunity.csv"
    text = ",".join(HEADER) + "\r\n" + "\r\n".join(",".join(r) for r in ROWS) + "\r\n"
    path.write_bytes(text.encode("utf-16-le"))
    assert landed(con, path) == EXPECTED


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"PK\x03\x04" + bytes(200), "binary: a .zip archive or an .xlsx workbook"),
        (b"Id,Name\n001,A\x00\x01\x02\x00\x00\x00\n", "NUL bytes, the first on line 2"),
    ],
)
def test_binary_files_are_named_for_what_they_are(tmp_path: Path, con, content: bytes, words: str) -> None:
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as raised:
        landed(con, path)
    assert words in str(raised.value)


def test_an_undecodable_byte_is_named_with_its_line(tmp_path: Path, con) -> None:
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(b"Id,AccountId,StageName,CloseDate,CreatedDate\n006A,001A,Won\x81,2026-01-31,2026-01-02\n")
    with pytest.raises(FileRejected) as raised:
        landed(con, path)
    assert "byte 0x81 (line 2)" in str(raised.value) and raised.value.line == 2


def test_utf8_bom_and_utf16_bom_still_load(tmp_path: Path, con) -> None:
    text = ",".join(HEADER) + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n"
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert landed(con, path) == EXPECTED
