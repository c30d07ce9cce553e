"""Reading a file whatever its line breaks, encoding or report furniture; refusing one only for a true cause."""

from __future__ import annotations

import codecs
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.loader import land_file
from pipelines.lib.ingest.salesforce import by_name

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


# ------------------------------------------------------------------------------------- through a mapping

MAPPING = """\
source: crm_sheet
files:
  deals:
    pattern: "deals*.csv"
{pins}entities:
  opportunities:
    from: deals
    columns:
      opportunity_id: Deal ID
      account_id: Account
      stage: Stage
      status: {{column: Stage, map: {{Closed Won: won, Closed Lost: lost}}, default: open}}
      amount: Amount
      close_date: Closed
      created_date: Created
"""


def land_deals(tmp_path: Path, data: bytes, pins: str = "", name: str = "deals_1.csv"):
    from pipelines.lib.ingest.canonical import canonical_object
    from pipelines.lib.ingest.mapping import load_mapping
    from pipelines.lib.ingest.mapping.apply import land_mapped
    from pipelines.lib.ingest.mapping.claims import MappedFile

    (tmp_path / "m.yml").write_text(MAPPING.format(pins=pins), encoding="utf-8")
    mapping = load_mapping(tmp_path / "m.yml")
    path = tmp_path / name
    path.write_bytes(data)
    con = duckdb.connect(":memory:")
    obj = canonical_object("opportunities")
    block = mapping.mapping.blocks("opportunities")[0]
    result = land_mapped(
        con,
        MappedFile(path, mapping, "deals", "test"),
        obj=obj,
        entity="opportunities",
        block=block,
        index=0,
        cache_dir=tmp_path,
    )
    return con, result


DEALS_HEADER = "Deal ID,Account,Stage,Amount,Closed,Created\r\n"


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ("", "Café"),  # detected: the bytes are valid UTF-8
        ("    encoding: cp1252\n", "CafÃ©"),  # pinned: the same bytes read as Windows-1252
    ],
)
def test_a_pinned_encoding_is_honoured(tmp_path: Path, pin: str, expected: str) -> None:
    data = (DEALS_HEADER + "D1,Café,Closed Won,10,2026-01-31,2026-01-02\r\n").encode("utf-8")
    con, result = land_deals(tmp_path, data, pin)
    assert con.execute("select account_id from landing.canonical__opportunities").fetchall() == [(expected,)]
    assert result.encoding == ("cp1252" if pin else "utf-8") and result.detected["encoding"] == result.encoding


def test_a_pinned_utf16_file_without_byte_order_mark(tmp_path: Path) -> None:
    data = (DEALS_HEADER + "D1,Ünal GmbH,Closed Won,1.5E4,2026-01-31,2026-01-02\r\n").encode("utf-16-le")
    con, result = land_deals(tmp_path, data, "    encoding: utf-16\n")
    assert con.execute("select account_id, amount from landing.canonical__opportunities").fetchall() == [
        ("Ünal GmbH", "15000.000000")
    ]
    assert result.encoding == "utf-16-le"  # the pin, with the byte order the file shows


def test_a_pin_the_file_does_not_fit_is_refused_naming_the_pin(tmp_path: Path) -> None:
    data = (DEALS_HEADER + "D1,Café,Closed Won,10,2026-01-31,2026-01-02\r\n").encode("cp1252")
    with pytest.raises(FileRejected) as raised:
        land_deals(tmp_path, data, "    encoding: utf-8\n")
    assert "the mapping pins encoding utf-8, but byte 0xE9 (line 2) is not utf-8 text" in str(raised.value)


def test_a_stray_quote_is_named_not_a_missing_column(tmp_path: Path, con) -> None:
    """One undoubled quote makes DuckDB read the file without quoting, so the header names keep their quotes.
    The file has every column: the message names the quote and its line, not "no column Id"."""
    rows = [quoted(r) for r in ROWS]
    rows[1] = rows[1].replace('"Prospecting"', '"Acme "Big" deal"')
    path = tmp_path / "Opportunity.csv"
    path.write_bytes((quoted(HEADER) + "\n" + "\n".join(rows) + "\n").encode())
    with pytest.raises(FileRejected) as raised:
        landed(con, path)
    assert raised.value.line == 3 and "no column" not in raised.value.problem
    assert raised.value.problem.startswith("line 3 has a quote inside a quoted value that is not doubled")


@pytest.mark.parametrize(
    "content",
    [codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\r\n", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_LE + "\r\n".encode("utf-16-le")],
)
def test_a_file_of_only_a_byte_order_mark_is_called_empty(tmp_path: Path, con, content: bytes) -> None:
    """Excel's "CSV UTF-8" of an empty sheet is a BOM alone: it was refused as "line 1 reads as a single column
    ('column0') … uses another delimiter or is no CSV", a cause that is not true (there is no line 1)."""
    path = tmp_path / "Opportunity.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as raised:
        landed(con, path)
    assert str(raised.value) == (
        f"{path}: the file is empty (no text after its byte-order mark). "
        "Fix: Export the object again; the copy may have failed."
    )


def test_a_header_in_another_case_lands_in_the_fields_column(tmp_path: Path, con) -> None:
    """A header spelled in another case ('amount', as Data Loader and hand edits write it) was a DuckDB catalog
    error ('Column with name amount already exists!'), a traceback: landing has the column as 'Amount'."""
    path = tmp_path / "Opportunity.csv"
    header = ",".join(h.lower() if h == "Amount" else h for h in HEADER)
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n", encoding="utf-8")
    assert landed(con, path) == [
        (2, "006A", "Closed Won", "1.5E4"),
        (3, "006B", "Prospecting", None),
        (4, "006C", "Closed Lost", "250.5"),
    ]


def test_day_first_dates_are_detected_from_the_whole_file_not_its_first_rows(tmp_path: Path) -> None:
    """A day-first export sorted by date: its first 500 dates (1..9 March, 60 deals a day) are all ambiguous, so
    sampling them alone read the file month-first; every date from the 13th on then did not parse (the file was
    refused, quoting '13/03/2026' as unparseable) and 01/03..12/03 would have been January..December 3rd."""
    lines = [
        f"D{day}-{k},A,Closed Won,100,{day:02d}/03/2026,{day:02d}/03/2026\r\n"
        for day in range(1, 21)
        for k in range(60)
    ]
    con, result = land_deals(tmp_path, (DEALS_HEADER + "".join(lines)).encode())
    assert result.detected["date_format"] == "%d/%m/%Y"
    assert con.execute(
        "select min(close_date), max(close_date), count(*) filter (where close_date like '2026-03-%') "
        "from landing.canonical__opportunities"
    ).fetchall() == [("2026-03-01", "2026-03-20", 1200)]


def test_decimal_commas_are_detected_from_the_whole_column_not_its_first_amounts(tmp_path: Path) -> None:
    """A European export whose first 500 amounts are whole numbers (100..699): sampling them alone decided nothing,
    so the file was read the English way; its later 2.000 (two thousand) landed as 2.000000, silently, and
    1.234,50 did not parse at all. A few values that show the decimal, from anywhere in the column, now decide."""
    lines = [f"D{i};A;Closed Won;{100 + i};2026-01-31;2026-01-02\r\n" for i in range(600)]
    lines += [
        "E1;A;Closed Won;1.234,50;2026-01-31;2026-01-02\r\n",
        "E2;A;Closed Won;2.000;2026-01-31;2026-01-02\r\n",
        "E3;A;Closed Won;12,5;2026-01-31;2026-01-02\r\n",
    ]
    con, result = land_deals(tmp_path, (DEALS_HEADER.replace(",", ";") + "".join(lines)).encode())
    assert (result.detected["decimal"], result.detected["thousands"]) == (",", ".")
    assert con.execute(
        "select opportunity_id, amount from landing.canonical__opportunities where opportunity_id like 'E%' order by 1"
    ).fetchall() == [("E1", "1234.500000"), ("E2", "2000.000000"), ("E3", "12.500000")]
    total = con.execute("select sum(amount::decimal(38, 6)) from landing.canonical__opportunities").fetchone()[0]
    assert total == sum(range(100, 700)) + Decimal("1234.50") + 2000 + Decimal("12.5") == Decimal("242947.00")


def test_amounts_all_written_like_1_500_are_refused_until_the_decimal_is_pinned(tmp_path: Path) -> None:
    """Every amount a point before three digits (1.500, 25.000: a European export of whole amounts) and nothing
    else in the file showing the decimal: read the English way they landed a thousand times too small (1.500000),
    silently. Now the file is refused naming the column, a value, its line and the pin; pinned, it loads."""
    lines = [f"D{i};A;Closed Won;{1 + i % 9}.{i % 10}00;2026-01-31;2026-01-02\r\n" for i in range(40)]
    data = (DEALS_HEADER.replace(",", ";") + "".join(lines)).encode()
    with pytest.raises(FileRejected) as refused:
        land_deals(tmp_path, data)
    message = str(refused.value)
    assert "column 'Amount': '1.000' on line 2" in message
    assert "1.5 in an English export and 1,500 in a European one" in message
    assert 'under files: deals: of the mapping, decimal: ","' in message
    con, result = land_deals(tmp_path, data, pins='    decimal: ","\n')
    assert result.detected["decimal"] == ","
    rows, total = con.execute(
        "select count(*), sum(amount::decimal(38, 6)) from landing.canonical__opportunities"
    ).fetchone()
    assert rows == 40
    assert total == sum(Decimal(f"{1 + i % 9}{i % 10}00") for i in range(40)) == Decimal("208000")


def test_a_later_0_125_decides_the_point_for_a_column_of_1_500(tmp_path: Path) -> None:
    """600 amounts like 1.500 and, past the 500 sampled at the top, 0.250: a leading zero groups no thousands, so
    the point is the decimal (the file is English, 1.500 is one and a half) and the file is not refused."""
    lines = [f"D{i};A;Closed Won;{1 + i % 9}.{i % 10}00;2026-01-31;2026-01-02\r\n" for i in range(600)]
    lines.append("Z1;A;Closed Won;0.250;2026-01-31;2026-01-02\r\n")
    con, result = land_deals(tmp_path, (DEALS_HEADER.replace(",", ";") + "".join(lines)).encode())
    assert result.detected["decimal"] == "."
    total = con.execute("select sum(amount::decimal(38, 6)) from landing.canonical__opportunities").fetchone()[0]
    assert total == sum(Decimal(f"{1 + i % 9}.{i % 10}") for i in range(600)) + Decimal("0.25")
