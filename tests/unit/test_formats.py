"""Format detection, the DuckDB parsing macros, and .zip/.xlsx expansion, on tiny inline data."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from pipelines.lib.ingest.dates import detect_date_format
from pipelines.lib.ingest.expand import expand_inputs
from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.macros import macro_sql
from pipelines.lib.ingest.mapping.undecided import undecided_points
from pipelines.lib.ingest.numbers import NumberFormat, detect_number_format
from pipelines.lib.ingest.recognise import recognise
from pipelines.lib.ingest.tokens import NULL_TOKENS
from pipelines.lib.ingest.xlsx import cell_text, expand_xlsx

EURO = NumberFormat(decimal=",", thousands=".")
US = NumberFormat(decimal=".", thousands=",")


def _con(number: NumberFormat, date_format: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for statement in macro_sql(number, date_format, NULL_TOKENS):
        con.execute(statement)
    return con


def _eval(con: duckdb.DuckDBPyConnection, fn: str, values: list[str | None]) -> list:
    rows = con.execute(f"select {fn}(v) from unnest(?::varchar[]) with ordinality t(v, i) order by i", [values])
    return [r[0] for r in rows.fetchall()]


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["1.234,56", "12,5", "7"], EURO),
        (["1,234.56", "0.5"], US),
        (["€ 1.234,56"], EURO),
        (["1 234,56", "99,00"], NumberFormat(",", " ")),
        (["1\u00a0234,56"], NumberFormat(",", " ")),
        (["1'234.56"], NumberFormat(".", "'")),
        (["(1,234.00)", "USD 12.00"], US),
        (["1.234.567", "12"], NumberFormat(",", ".")),  # a repeated '.' can only group thousands
        (["1,234"], US),  # ambiguous alone: read the English way
        (["1.234", "5,5"], EURO),  # the ambiguous one follows the others
        (["0.125", "1,250"], US),  # a leading zero groups no thousands: 0.125 shows its decimal
        (["0,125", "1.250"], EURO),
        (["12", "NULL", "", "-"], NumberFormat(".", None)),
    ],
)
def test_detect_number_format(samples: list[str], expected: NumberFormat) -> None:
    assert detect_number_format(samples) == expected


@pytest.mark.parametrize(
    ("samples", "undecided"),
    [
        (["1.500", "25.000", "12"], ["1.500", "25.000"]),  # 1.5 English, 1,500 European: nothing tells
        (["€ 1.500"], ["€ 1.500"]),
        (["1.500", "12,50"], []),  # the comma decimal decides
        (["1.500", "0.125"], []),  # so does a point before a leading zero's three digits
        (["1.500", "1,234.5"], []),
        (["1,500", "25,000"], []),  # only commas: read the English way (1500), as documented
        (["12", "7"], []),
    ],
)
def test_undecided_points(samples: list[str], undecided: list[str]) -> None:
    assert undecided_points(samples) == undecided


def test_num_macro_european() -> None:
    values = ["1.234,56", "€ 1.234,56", "1 234,56", "1\u00a0234,56", "(1.234,00)", "12,5", "1234-", "5 EUR", "-0,01"]
    assert _eval(_con(EURO), "num", values) == [
        Decimal("1234.56"),
        Decimal("1234.56"),
        Decimal("1234.56"),
        Decimal("1234.56"),
        Decimal("-1234.00"),
        Decimal("12.5"),
        Decimal("-1234"),
        Decimal("5"),
        Decimal("-0.01"),
    ]


def test_num_macro_english_and_type() -> None:
    con = _con(US)
    values = ["1,234.56", "$1,234.56", "(1,234.00)", "1'234.56", "USD 99.99", "0.1", "123456789012.123456"]
    assert _eval(con, "num", values) == [
        Decimal("1234.56"),
        Decimal("1234.56"),
        Decimal("-1234.00"),
        Decimal("1234.56"),
        Decimal("99.99"),
        Decimal("0.1"),
        Decimal("123456789012.123456"),
    ]
    assert con.execute("select typeof(num('1'))").fetchone()[0] == "DECIMAL(38,6)"


def test_num_reads_scientific_notation_exactly() -> None:
    """Salesforce writes large numbers as 1.03444E11: exactly 103444000000, never through a float."""
    values = ["1.5E4", "1.03444E11", "1.03444e+11", "-2.5e-3", "1E2", "9.999999999999999999E17", "$1.5E3"]
    assert _eval(_con(US), "num", values) == [
        Decimal("15000"),
        Decimal("103444000000"),
        Decimal("103444000000"),
        Decimal("-0.0025"),
        Decimal("100"),
        Decimal("999999999999999999.9"),
        Decimal("1500"),
    ]
    # European Excel writes the mantissa with a decimal comma; detection is not misled by the exponent
    assert detect_number_format(["1,5E+04", "2,25E3"]) == NumberFormat(",", None)
    assert _eval(_con(EURO), "num", ["1,5E+04", "1.234,5E1"]) == [Decimal("15000"), Decimal("12345")]
    assert _eval(_con(US), "num", ["1E40", "E4", "1.5E"]) == [None, None, None]  # too big or not a number: NULL


def test_num_unparseable_and_nulls_are_null() -> None:
    # NULL for null tokens; NULL (for the audit to quarantine) for text that is not a number in this format
    values = ["", "NULL", "#N/A", "-", "na", "n/a", None, "12 apples", "1,2,3", "1,23"]
    assert _eval(_con(US), "num", values) == [None] * len(values)


def test_txt_macro() -> None:
    assert _eval(_con(US), "txt", ["  Acme  ", "NULL", "null", "#N/A", "N/A", "NA", "-", "", "   ", "Nadia"]) == [
        "Acme",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "Nadia",
    ]


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["31.12.2025", "01.02.2026"], "%d.%m.%Y"),
        (["3/7/2026 14:05", "12/31/2025 9:00"], "%m/%d/%Y %H:%M"),
        (["3/7/2026", "11/30/2025"], "%m/%d/%Y"),
        (["31/12/2025", "1/2/2026"], "%d/%m/%Y"),  # 31 can only be a day
        (["3/7/2026", "1/2/2026"], "%m/%d/%Y"),  # ambiguous: M/D, the US-locale CRM default
        (["3/7/2026 2:05 PM"], "%m/%d/%Y %I:%M %p"),
        (["2026/03/07"], "%Y/%m/%d"),
        (["2026-03-07T10:00:00Z", "2026-03-08"], "ISO"),
        (["1996-07-04 00:00:00.000"], "ISO"),
        (["Acme", "12.5", ""], None),
    ],
)
def test_detect_date_format(samples: list[str], expected: str | None) -> None:
    assert detect_date_format(samples) == expected


def test_date_macros() -> None:
    con = _con(US, "%m/%d/%Y %H:%M")
    values = [
        "3/7/2026 14:05",
        "3/7/2026",
        "3/7/2026 2:05 PM",
        "2026-03-07T10:00:00Z",
        "2026-03-07T10:00:00+02:00",
        "1996-07-04 00:00:00.000",
        "NULL",
        "not a date",
    ]
    assert _eval(con, "dt", values) == [
        datetime(2026, 3, 7, 14, 5),
        datetime(2026, 3, 7),
        datetime(2026, 3, 7, 14, 5),
        datetime(2026, 3, 7, 10, 0),
        datetime(2026, 3, 7, 8, 0),  # the offset is converted to UTC
        datetime(1996, 7, 4),
        None,
        None,
    ]
    european = _con(EURO, "%d.%m.%Y")
    assert _eval(european, "d", ["31.12.2025", "31.12.2025 23:59", "2026-01-05", "12/31/2025"]) == [
        date(2025, 12, 31),
        date(2025, 12, 31),
        date(2026, 1, 5),
        None,  # a slash date in a DD.MM.YYYY file is not guessed
    ]
    assert european.execute("select typeof(dt('31.12.2025')), typeof(d('31.12.2025'))").fetchone() == (
        "TIMESTAMP",
        "DATE",
    )


def test_xlsx_round_trips_exact_values(tmp_path: Path) -> None:
    book_path = tmp_path / "deals.xlsx"
    book = xlsxwriter.Workbook(str(book_path))
    sheet = book.add_worksheet("Deals")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, ["Deal", "Amount", "Close Date", "Created", "Qty", "Note"])
    rows = [
        ('Acme; "big"', 0.1, date(2026, 3, 7), datetime(2026, 1, 2, 9, 30), 3, "=HYPERLINK(x)"),
        ("Ünïcode ✓", 1234567.89, date(1999, 12, 31), datetime(2026, 6, 30, 23, 59, 59), 0, ""),
        ("Third", 0.30000000000000004, date(2026, 2, 28), datetime(2026, 2, 28, 0, 0), 12.0, "x"),
    ]
    for r, (name, amount, close, created, qty, note) in enumerate(rows, start=1):
        sheet.write_string(r, 0, name)
        sheet.write_number(r, 1, amount)
        sheet.write_datetime(r, 2, close, date_fmt)
        sheet.write_datetime(r, 3, created, stamp_fmt)
        sheet.write_number(r, 4, qty)
        sheet.write_string(r, 5, note) if note else None
    book.add_worksheet("Empty")
    book.add_worksheet("Notes").write_string(0, 0, "just a note")
    book.close()

    produced = expand_xlsx(book_path, tmp_path / "work")
    assert list(produced) == ["Deals", "Notes"]  # the empty sheet yields no file
    text = produced["Deals"].read_text(encoding="utf-8")
    assert text.splitlines() == [
        "Deal,Amount,Close Date,Created,Qty,Note",
        '"Acme; ""big""",0.1,2026-03-07,2026-01-02 09:30:00,3,=HYPERLINK(x)',
        "Ünïcode ✓,1234567.89,1999-12-31,2026-06-30 23:59:59,0,",
        "Third,0.3,2026-02-28,2026-02-28,12,x",  # calamine reads a midnight timestamp as a date: same value
    ]
    assert expand_inputs(book_path, tmp_path / "work2") == [
        tmp_path / "work2" / "deals.Deals.csv",
        tmp_path / "work2" / "deals.Notes.csv",
    ]
    # and DuckDB reads the amounts back exactly through num()
    con = _con(NumberFormat())
    amounts = con.execute("select list(num(Amount)) from read_csv(?, all_varchar=true)", [str(produced["Deals"])])
    assert amounts.fetchone()[0] == [Decimal("0.1"), Decimal("1234567.89"), Decimal("0.3")]


def test_cell_text_numbers() -> None:
    assert [cell_text(v) for v in (0.1, 12.0, 1e20, 1e-7, -2.5, 7, True, None)] == [
        "0.1",
        "12",
        "100000000000000000000",
        "0.0000001",
        "-2.5",
        "7",
        "true",
        "",
    ]


def test_broken_xlsx_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(FileRejected) as caught:
        expand_inputs(bad, tmp_path / "work")
    assert "not a readable .xlsx workbook" in caught.value.problem
    assert "save it again" in caught.value.fix


def test_zip_nested_folders_and_inner_zip(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("User.csv", "Id,Name\n1,Ann\n")
    outer = tmp_path / "export.zip"
    with zipfile.ZipFile(outer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("2026-06-30/Opportunity.csv", "Id,Amount\n1,10\n")
        z.writestr("2026-06-30/Attachments/logo.png", b"\x89PNG")
        z.writestr("__MACOSX/._Opportunity.csv", b"junk")
        z.write(inner, "nested/inner.zip")
    files = expand_inputs(outer, tmp_path / "work")
    names = sorted(p.relative_to(tmp_path / "work").as_posix() for p in files)
    assert names == ["export.unzipped/2026-06-30/Opportunity.csv", "export.unzipped/nested/inner.unzipped/User.csv"]
    assert (tmp_path / "work/export.unzipped/2026-06-30/Opportunity.csv").read_text() == "Id,Amount\n1,10\n"


@pytest.mark.parametrize("member", ["../evil.csv", "a/../../evil.csv", "/etc/evil.csv", "C:/evil.csv"])
def test_zip_path_traversal_is_refused(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ok.csv", "a\n1\n")
        z.writestr(member, "a\n1\n")
    with pytest.raises(FileRejected) as caught:
        expand_inputs(archive, tmp_path / "work" / "deep")
    assert "unsafe" in caught.value.problem
    assert not (tmp_path / "work" / "evil.csv").exists() and not (tmp_path / "evil.csv").exists()
    assert not (tmp_path / "work" / "deep" / "evil.unzipped" / "ok.csv").exists()  # checked before extracting


def test_broken_zip_is_rejected(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("Opportunity.csv", "Id,Amount\n" + "1,10\n" * 1000)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[:60])
    with pytest.raises(FileRejected) as caught:
        expand_inputs(cut, tmp_path / "work")
    assert "not a readable .zip archive" in caught.value.problem
    assert "Download the export again" in caught.value.fix


def test_csv_passes_through(tmp_path: Path) -> None:
    plain = tmp_path / "a.csv"
    plain.write_text("x\n1\n")
    assert expand_inputs(plain, tmp_path / "work") == [plain]


@dataclass
class _M:
    name: str
    recognise: dict[str, list[str]] = field(default_factory=dict)


def test_recognise_by_headers() -> None:
    hub = _M("hubspot", {"deals": ["Record ID", "Deal Name", "Deal Stage"], "companies": ["Record ID", "Company name"]})
    pipe = _M("pipedrive", {"deals": ["Deal - Title", "Deal - Value"]})
    loose = _M("loose", {"any": ["Record ID"]})
    found = recognise(["\ufeffrecord id", " DEAL NAME ", "Deal stage", "Amount"], [loose, hub, pipe])
    assert found is not None and (found[0].name, found[1]) == ("hubspot", "deals")  # the most specific wins
    assert recognise(['"Deal - Title"', "Deal - Value"], [hub, pipe])[0].name == "pipedrive"
    assert recognise(["Id", "Name"], [hub, pipe]) is None
