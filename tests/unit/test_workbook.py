"""The publication workbook: numbers equal the frozen rows, formats and frozen headers, CRM text never a formula."""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pipelines.lib.publish.dashboard import Frozen
from pipelines.lib.publish.formats import fmt, fmt_change, label
from pipelines.lib.publish.workbook import is_formula_like, write_workbook
from tests.realdata import REALDATA

APEX = REALDATA / "salesforce_apex_recipes" / "Opportunities.csv"
SYNTHETIC = [
    '=HYPERLINK("http://evil.example","Click me")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "<script>alert(1)</script>",
    "Ünïcödé 😀",
    "שלום עולם",
    "Plain Rep",
]
META = {
    "grain": "monthly",
    "label": "2026-06",
    "version": 2,
    "snapshot_id": "monthly-2026-06-v2",
    "published_at": datetime(2026, 7, 1, 6, 0),
    "source": "marts.kpi_scorecard",
}


def kpi(scope: str, scope_id: str, name: str, kpi_name: str, actual: str | None, target: str | None = None) -> dict:
    return {
        "grain": "month",
        "period_start": date(2026, 6, 1),
        "period_end": date(2026, 6, 30),
        "scope": scope,
        "scope_id": scope_id,
        "scope_name": name,
        "kpi": kpi_name,
        "actual": None if actual is None else Decimal(actual),
        "target": None if target is None else Decimal(target),
        "attainment": None if target is None or actual is None else float(Decimal(actual) / Decimal(target)),
        "prior_value": Decimal("1000.50"),
        "change_pct": 0.125,
        "status": "on_track" if target else None,
    }


def frozen(names: list[str]) -> Frozen:
    kpis = [
        kpi("company", "company", "Company", "revenue", "2588368.45", "2500000.00"),
        kpi("company", "company", "Company", "win_rate", "0.274509", None),
        kpi("company", "company", "Company", "deals_won", "42", None),
        kpi("company", "company", "Company", "avg_sales_cycle_days", None, None),
    ] + [kpi("rep", f"r{i}", n, "revenue", f"{1000 * i}.25") for i, n in enumerate(names)]
    reps = [
        {
            "rep_id": f"r{i}",
            "rep_name": n,
            "revenue": Decimal(f"{1000 * i}.25"),
            "quota_attainment": 0.5,
            "deals_won": i,
        }
        for i, n in enumerate(names)
    ]
    return Frozen(kpis, {"rep_performance": reps})


def realdata_hostile() -> list[str]:
    with APEX.open(encoding="utf-8", newline="") as handle:
        values = {v for row in csv.DictReader(handle) for v in row.values() if v}
    return sorted(v for v in values if is_formula_like(v) or "<" in v)


def written(tmp_path: Path, names: list[str]) -> tuple[Frozen, openpyxl.Workbook, Path]:
    data = frozen(names)
    path = write_workbook(tmp_path / "book.xlsx", data, **META)
    return data, openpyxl.load_workbook(path), path


def as_read(text: str) -> str:
    """xlsx stores a carriage return as _x000D_; Excel shows it as CR again, openpyxl leaves the escape."""
    return text.replace("\r", "_x000D_")


def rows_of(sheet, columns: list[str]) -> list[dict]:  # noqa: ANN001
    """The sheet's rows keyed by column name (the header cells are the names in words)."""
    names = {label(c): c for c in columns}
    header = [names[c.value] for c in sheet[1]]
    return [dict(zip(header, (c.value for c in line), strict=True)) for line in sheet.iter_rows(min_row=2)]


def test_numbers_formats_and_layout(tmp_path: Path) -> None:
    data, book, _ = written(tmp_path, SYNTHETIC)
    assert book.sheetnames == ["README", "KPIs", "Rep performance"]
    sheet = book["KPIs"]
    assert sheet.freeze_panes == "A2" and book["Rep performance"].freeze_panes == "A2"
    cells = rows_of(sheet, [*data.kpis[0], "change_pt", "definition"])
    assert len(cells) == len(data.kpis) == 4 + len(SYNTHETIC)
    for cell, row in zip(cells, data.kpis, strict=True):
        assert cell["scope_name"] == as_read(row["scope_name"]) and cell["kpi"] == row["kpi"]
        assert cell["actual"] == (None if row["actual"] is None else float(row["actual"]))
        assert cell["period_start"] == datetime(2026, 6, 1)
    by_kpi = {r[6].value: r for r in sheet.iter_rows(min_row=2, max_row=5)}  # column G is kpi
    assert by_kpi["revenue"][7].number_format == '"$"#,##0.00' and by_kpi["revenue"][7].value == 2588368.45
    assert by_kpi["win_rate"][7].number_format == "0.0%" and by_kpi["deals_won"][7].number_format == "#,##0"
    assert by_kpi["revenue"][9].number_format == "0.0%"  # attainment
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["F"].width >= len("Ünïcödé 😀")  # scope_name column sized to its content
    readme = [c.value for c in book["README"]["A"] if c.value]
    assert "Rep performance" in readme and "Win rate (by count)" in readme and "Cohort retention" in readme
    notes = {r[0].value: r[1].value for r in book["README"].iter_rows() if r[0].value}
    assert notes["Cohort retention"] == "Not available in this publication."
    assert notes["Snapshot"] == "monthly-2026-06-v2"


def assert_text_not_formula(tmp_path: Path, names: list[str]) -> None:
    _, book, path = written(tmp_path, names)
    for sheet_name, column in (("KPIs", 6), ("Rep performance", 2)):
        cells = {c.value: c for c in next(book[sheet_name].iter_cols(min_col=column, max_col=column, min_row=2))}
        for name in names:
            cell = cells[as_read(name)]
            assert cell.data_type == "s", name
            assert cell.quotePrefix == is_formula_like(name), name
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


def test_synthetic_hostile_strings_stay_text(tmp_path: Path) -> None:
    assert [n for n in SYNTHETIC if is_formula_like(n)] == SYNTHETIC[:6]
    assert_text_not_formula(tmp_path, SYNTHETIC)


@pytest.mark.skipif(not APEX.exists(), reason=f"{APEX.parent} is absent")
def test_real_crm_strings_stay_text(tmp_path: Path) -> None:
    names = realdata_hostile()
    assert {"-1E02", "-1E+02", "<img src=x onerror=alert('hi') />"} <= set(names)
    assert_text_not_formula(tmp_path, names)


def test_people_formats() -> None:
    assert fmt(Decimal("2588368.45"), "currency") == "$2,588,368"
    assert (fmt(Decimal("-1234.5"), "currency"), fmt(Decimal("0.4"), "currency")) == ("−$1,235", "$0")
    assert fmt(0.274509, "percent") == "27.5%"
    assert fmt(Decimal("42.000000"), "count") == "42"
    assert fmt(Decimal("70.96"), "days") == "71.0 days"
    assert fmt(None, "currency") == "–"
    assert (fmt_change(0.125), fmt_change(-0.04), fmt_change(-0.00001), fmt_change(None)) == (
        "+12.5%",
        "−4.0%",
        "0.0%",
        "–",
    )


def test_money_cells_hold_the_exact_value_under_a_cents_format(tmp_path: Path) -> None:
    # The marts keep money exact (DECIMAL(38,6)): the workbook shows cents by its number format only, so a SUM
    # of the cells in Excel adds the exact values, not rows rounded to the cent (1,000.13 + 2,000.00 ≠ 3,000.13).
    reps = [
        {"rep_id": "r1", "rep_name": "Ann", "revenue": Decimal("1000.125500")},
        {"rep_id": "r2", "rep_name": "Bob", "revenue": Decimal("2000.004400")},
    ]
    data = Frozen([kpi("company", "company", "Company", "revenue", "3000.129900")], {"rep_performance": reps})
    book = openpyxl.load_workbook(write_workbook(tmp_path / "book.xlsx", data, **META))
    sheet = book["Rep performance"]
    header = [c.value for c in sheet[1]]
    cells = [line[header.index("Revenue")] for line in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [1000.1255, 2000.0044]
    assert {c.number_format for c in cells} == {'"$"#,##0.00'}
    actual = book["KPIs"]["H2"]
    assert (actual.value, actual.number_format) == (3000.1299, '"$"#,##0.00')


def test_headers_are_words_like_the_page_and_each_kpi_is_defined(tmp_path: Path) -> None:
    data, book, _ = written(tmp_path, ["Plain Rep"])
    kpis = [c.value for c in book["KPIs"][1]]
    assert kpis == [
        "Grain", "Period start", "Period end", "Scope", "Scope ID", "Scope name", "KPI", "Actual", "Target",
        "Attainment", "Previous", "Change %", "Change (pt)", "Status", "Definition",
    ]  # fmt: skip
    assert [c.value for c in book["Rep performance"][1]] == ["Rep ID", "Rep name", "Revenue", "Quota attainment",
                                                             "Deals won"]  # fmt: skip
    assert not [c.value for name in book.sheetnames[1:] for c in book[name][1] if "_" in c.value]
    definitions = {r["KPI"]: r["Definition"] for r in (dict(zip(kpis, (c.value for c in line), strict=True))
                                                          for line in book["KPIs"].iter_rows(min_row=2))}  # fmt: skip
    assert definitions["revenue"] == "Sum of the amounts of won deals closed in the period."
    assert definitions["win_rate"].startswith("Share of closed deals that were won, by count")
    glossary = {r[0].value: r[1].value for r in book["README"].iter_rows() if r[0].value}
    assert glossary["Average sales cycle days"].startswith("Mean of close_date - created_date in days")
    assert glossary["Churn rate"].startswith("1 - retention_rate: the share of the previous period's buying customers")


def test_both_win_rates_are_named_apart_formatted_as_rates_and_defined(tmp_path: Path) -> None:
    rates = [
        kpi("company", "company", "Company", "win_rate", "0.5", "0.6"),
        kpi("company", "company", "Company", "win_rate_by_amount", "0.25", "0.3"),
    ]
    path = write_workbook(tmp_path / "book.xlsx", Frozen(rates, {}), **META)
    sheet = openpyxl.load_workbook(path)["KPIs"]
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("KPI")].value: r for r in sheet.iter_rows(min_row=2)}
    for name, actual in (("win_rate", 0.5), ("win_rate_by_amount", 0.25)):
        cell = rows[name][header.index("Actual")]
        assert (cell.value, cell.number_format) == (actual, "0.0%")
    definitions = {k: rows[k][header.index("Definition")].value for k in rows}
    assert "deals_won / (deals_won + deals_lost)" in definitions["win_rate"]
    assert "revenue / (revenue + lost_amount)" in definitions["win_rate_by_amount"]
    assert (label("win_rate"), label("win_rate_by_amount")) == ("Win rate (by count)", "Win rate (by amount)")
    assert fmt(0.25, "percent") == "25.0%" and label("lost_amount") == "Lost amount"


def test_money_cells_in_the_reporting_currency(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx", frozen(["Plain Rep"]), **META, currency="EUR")
    book = openpyxl.load_workbook(path)
    by_kpi = {r[6].value: r for r in book["KPIs"].iter_rows(min_row=2, max_row=5)}
    assert by_kpi["revenue"][7].number_format == '"€"#,##0.00' and by_kpi["revenue"][7].value == 2588368.45
    assert book["Rep performance"]["C2"].number_format == '"€"#,##0.00'
    notes = {r[0].value: r[1].value for r in book["README"].iter_rows() if r[0].value}
    assert notes["Currency"].startswith("EUR")


def test_a_rate_changes_in_points_as_on_the_page(tmp_path: Path) -> None:
    """The page says "−3.3 pt" for win rate 28.5 % → 25.2 %; the sheet held only the relative −11.6 % before."""
    rows = [
        kpi("company", "company", "Company", "win_rate", "0.252", None) | {"prior_value": Decimal("0.285")},
        kpi("company", "company", "Company", "revenue", "1125.5625", None),
    ]
    path = write_workbook(tmp_path / "book.xlsx", Frozen(rows, {}), **META)
    sheet = openpyxl.load_workbook(path)["KPIs"]
    header = [c.value for c in sheet[1]]
    cells = {r[header.index("KPI")].value: r[header.index("Change (pt)")] for r in sheet.iter_rows(min_row=2)}
    assert cells["win_rate"].value == pytest.approx(-3.3, abs=1e-12)
    assert cells["win_rate"].number_format == '+0.0" pt";-0.0" pt";0.0" pt"'
    assert cells["revenue"].value is None  # money keeps its change in %, next column over
    assert fmt(Decimal("-3.3"), "points") == "−3.3 pt" and fmt(Decimal("0.44"), "points") == "+0.4 pt"


def test_columns_are_as_wide_as_their_widest_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each column fits its header and the widest of its values as the page shows them (fmt), every value measured:
    the workbook formats only the largest number of each kind, sign and exactness, and must get the same widths."""
    import random

    from xlsxwriter.worksheet import Worksheet

    from pipelines.lib.publish.formats import column_kinds, kpi_kind
    from pipelines.lib.publish.workbook import KPI_VALUE_COLUMNS, MAX_WIDTH, kpi_sheet_row

    widths: dict[tuple[str, int], float] = {}
    set_column = Worksheet.set_column

    def recorded(sheet: Worksheet, first: int, last: int, width: float, *args: object) -> object:
        widths[(sheet.name, first)] = width
        return set_column(sheet, first, last, width, *args)

    monkeypatch.setattr(Worksheet, "set_column", recorded)
    draw = random.Random(7)
    numbers = [
        *(Decimal(draw.randint(-(10**9), 10**9)) / 100 for _ in range(300)),  # money, cents, negative and positive
        *(draw.uniform(-2, 2) for _ in range(300)),  # rates
        *(draw.randint(-5000, 10**7) for _ in range(300)),  # counts
        *(float(draw.randint(0, 10**6)) for _ in range(100)),  # whole numbers in a float column
        *(Decimal(edge) for edge in ("-0.004", "999.995", "-999.995", "0")),  # rounding across a digit, to 0
        *(0.0, -0.0, 9.999, -9.95, 99999.5),
    ]
    kinds = ["revenue", "win_rate", "deals_won", "avg_sales_cycle_days", "quota_attainment", "ltv_to_cac"]
    data = frozen(["Plain Rep"])
    data.kpis += [
        kpi("rep", f"x{i}", "Rep", kinds[i % len(kinds)], str(Decimal(str(n)).quantize(Decimal("0.000001"))))
        for i, n in enumerate(numbers)
    ]
    section = [
        {
            "rep_name": f"R{i}",
            "revenue": numbers[i],
            "quota_attainment": numbers[-i - 1],
            "deals_won": numbers[(i * 7) % len(numbers)],
            "avg_sales_cycle_days": numbers[(i * 11) % len(numbers)],
            "x": (10, 5.5, -3, Decimal("-2.25"))[i % 4],  # a plain number: 2 decimals unless whole
        }
        for i in range(len(numbers))
    ]
    data.sections["rep_performance"] = section
    write_workbook(tmp_path / "book.xlsx", data, **META)

    def expected(rows: list[dict], kpi_rows: bool) -> list[int]:
        columns = column_kinds(rows)
        found = []
        for column, how in columns:
            shown = [len(label(column))]
            for row in rows:
                kind_ = kpi_kind(row) if kpi_rows and column in KPI_VALUE_COLUMNS else how
                value = row[column]
                shown.append(1 if value is None else len(value) if isinstance(value, str) else len(fmt(value, kind_)))
            found.append(min(max(shown), MAX_WIDTH) + 2)
        return found

    kpi_rows = [kpi_sheet_row(r) for r in data.kpis]
    assert [widths[("KPIs", c)] for c in range(len(kpi_rows[0]))] == expected(kpi_rows, kpi_rows=True)
    assert [widths[("Rep performance", c)] for c in range(len(section[0]))] == expected(section, kpi_rows=False)
    assert widths[("KPIs", list(kpi_rows[0]).index("actual"))] > len("Actual") + 2  # the numbers set it
