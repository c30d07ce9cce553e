"""The built-in sources (pipelines/mappings/*.yml) on hand-written exports in tests/fixtures/exports/<source>/.

Each fixture is a small, realistic export with the quirks of its CRM (Salesforce report saved from European
Excel: BOM, CRLF, semicolons, decimal commas, "€" suffix, M/D/YYYY; HubSpot: odd header casing, several
associated companies; Pipedrive: BOM, deleted deals). The monthly figures below were summed by hand from the
fixture rows; the pipeline must reproduce them in marts.sales_by_period.
"""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.ingest.encodings import detect_encoding
from pipelines.lib.ingest.mapping import load_mapping
from pipelines.lib.ingest.recognise import recognise
from pipelines.mappings import builtin_paths
from tests.integration.conftest import export_root

FIXTURES = Path(__file__).parents[1] / "fixtures" / "exports"

# month → (revenue, deals won, deals lost); win rate = won / (won + lost)
EXPECTED: dict[str, dict[str, tuple[Decimal, int, int]]] = {
    "salesforce_report": {
        # won: Acme - Platform 12.500,00 + Müller - Starter 3.200,50; lost: Nordwind - Renewal
        "2026-01-01": (Decimal("15700.50"), 2, 1),
        # won: Acme - Add-on 1.150,75 + S&J - Pilot 980,00; lost: Lumen - Suite, Lumen - Training
        "2026-02-01": (Decimal("2130.75"), 2, 2),
        # won: Nordwind - Expansion 45.000,00 + Oceanic "Starter" 2.499,99 € ("closed won") + Lumen - Reboot
        # 18.750,25 = 66.250,24; lost: Oceanic - Services.  Apr–Jun hold open deals only.
        "2026-03-01": (Decimal("66250.24"), 3, 1),
    },
    "hubspot": {
        # won: 9001 12500 + 9003 1999.99 (closed 2026-01-31 23:59, still January); lost: 9002
        "2026-01-01": (Decimal("14499.99"), 2, 1),
        # won: 9004 7500.5 ("Closed Won"); lost: 9005, 9006 ("closed lost")
        "2026-02-01": (Decimal("7500.50"), 1, 2),
        # won: 9007 30000 + 9008 450.25; lost: 9012 (no amount)
        "2026-03-01": (Decimal("30450.25"), 2, 1),
    },
    "pipedrive": {
        # won: 101 15000 (won time 01-20, not its expected close 01-31) + 102 2750.5; lost: 103 (lost time
        # 01-25); deleted 104 (99999, "won" on 01-18) is left out
        "2026-01-01": (Decimal("17750.50"), 2, 1),
        # won: 105 4200 (02-28 23:10) + 107 800.75; lost: 106 (lost time 02-03 though expected 01-31)
        "2026-02-01": (Decimal("5000.75"), 2, 1),
        # won: 108 12345.67 (03-01 00:05); lost: 109, 110; deleted 113 left out
        "2026-03-01": (Decimal("12345.67"), 1, 2),
    },
}

# fixture file → (source, file key) it must be recognised as
RECOGNISED = {
    "salesforce_report/report1774051200000.csv": ("salesforce_report", "opportunities"),
    "hubspot/hubspot-crm-exports-all-deals-2026-04-01.csv": ("hubspot", "deals"),
    "hubspot/hubspot-crm-exports-all-companies-2026-04-01.csv": ("hubspot", "companies"),
    "hubspot/hubspot-crm-exports-all-contacts-2026-04-01.csv": ("hubspot", "contacts"),
    "pipedrive/deals-4409125-17.csv": ("pipedrive", "deals"),
    "pipedrive/organizations-4409125-18.csv": ("pipedrive", "organizations"),
}


def _header(path: Path) -> list[str]:
    with path.open(encoding=detect_encoding(path), newline="") as handle:
        first = handle.readline()
    delimiter = csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    return next(csv.reader(io.StringIO(first), delimiter=delimiter))


def test_builtin_mappings_load() -> None:
    loaded = {load_mapping(p).source: load_mapping(p) for p in builtin_paths()}
    assert set(loaded) == {"salesforce_report", "hubspot", "pipedrive", "currency_rates", "rep_history"}
    assert set(loaded["hubspot"].mapping.entities) == {"opportunities", "accounts", "leads"}
    assert set(loaded["pipedrive"].mapping.entities) == {"opportunities", "accounts"}


@pytest.mark.parametrize(("fixture", "expected"), RECOGNISED.items())
def test_fixture_is_recognised_by_its_headers(fixture: str, expected: tuple[str, str]) -> None:
    builtins = [load_mapping(p) for p in builtin_paths()]
    found = recognise(_header(FIXTURES / fixture), builtins)
    assert found is not None, f"{fixture} is not recognised"
    assert (found[0].source, found[1]) == expected


def test_other_exports_are_not_recognised() -> None:
    builtins = [load_mapping(p) for p in builtin_paths()]
    salesforce_api = ["Id", "AccountId", "OwnerId", "Name", "StageName", "Amount", "CloseDate", "CreatedDate"]
    assert recognise(salesforce_api, builtins) is None
    # a HubSpot deals export without associations lacks a column the mapping reads: not claimed silently
    hubspot_no_assoc = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner"]
    assert recognise(hubspot_no_assoc, builtins) is None


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> tuple[Path, Path]:
    """The three fixtures side by side in one inbox (a folder each), one run: their deals share no id, so each
    source's deals are read as in a run of its own, and the company's months are their sums."""
    from pipelines.cli.runner import refresh_warehouse

    root = tmp_path_factory.mktemp("builtin_sources")
    inbox = root / "inbox"
    for source in EXPECTED:
        shutil.copytree(FIXTURES / source, inbox / source)
    paths = export_root(root)
    refresh_warehouse()
    return inbox, paths.warehouse


@pytest.mark.integration
@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_monthly_figures_match_the_fixture(warehouse: tuple[Path, Path], source: str) -> None:
    inbox, path = warehouse
    folder = f"{inbox / source}/%"
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select cast(date_trunc('month', close_date) as date), sum(amount) filter (where status = 'won'), "
            "count(*) filter (where status = 'won'), count(*) filter (where status = 'lost') "
            "from marts.fct_opportunities where _source_file like ? and status in ('won', 'lost') "
            "group by 1 order by 1",
            [folder],
        ).fetchall()
        quarantined = con.execute(
            "select count(*) from quarantine.canonical__opportunities where _source_file like ?", [folder]
        ).fetchone()[0]
        deals = con.execute("select count(*) from raw.canonical__opportunities where _source_file like ?", [folder])
        loaded = deals.fetchone()[0]
    assert quarantined == 0 and loaded > 0
    got = {str(r[0]): r[1:] for r in rows}
    assert set(got) == set(EXPECTED[source])
    for month, (revenue, won, lost) in EXPECTED[source].items():
        m_revenue, m_won, m_lost = got[month]
        assert (Decimal(m_revenue), m_won, m_lost) == (revenue, won, lost), (source, month)


@pytest.mark.integration
def test_sales_by_period_sums_the_fixtures_month_by_month(warehouse: tuple[Path, Path]) -> None:
    _, path = warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select period_start, revenue, deals_won, deals_lost, win_rate from marts.sales_by_period "
            "where grain = 'month' and deals_won + deals_lost > 0 order by period_start"
        ).fetchall()
        quarantined = con.execute("select count(*) from quarantine.canonical__opportunities").fetchone()[0]
    assert quarantined == 0
    expected: dict[str, tuple[Decimal, int, int]] = {}
    for months in EXPECTED.values():
        for month, (revenue, won, lost) in months.items():
            r, w, n = expected.get(month, (Decimal(0), 0, 0))
            expected[month] = (r + revenue, w + won, n + lost)
    got = {str(r[0]): r[1:] for r in rows}
    assert set(got) == set(expected)
    for month, (revenue, won, lost) in expected.items():
        m_revenue, m_won, m_lost, m_rate = got[month]
        assert (Decimal(m_revenue), m_won, m_lost) == (revenue, won, lost), month
        assert abs(Decimal(str(m_rate)) - Decimal(won) / Decimal(won + lost)) < Decimal("1e-9"), month


def _csv_to_xlsx(source: Path, target: Path) -> None:
    """The export as HubSpot's default .xlsx download: numbers as number cells, the rest as text."""
    import xlsxwriter

    with source.open(encoding=detect_encoding(source), newline="") as handle:
        rows = list(csv.reader(handle))
    book = xlsxwriter.Workbook(str(target))
    sheet = book.add_worksheet("Deals")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            try:
                number = float(value) if r and value.strip() else None
            except ValueError:
                number = None
            if number is None:
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, number)
    book.close()


def won_and_lost_by_month(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Decimal, int, int]]:
    """marts.sales_by_period's months with a closed deal: revenue, deals won and lost, as EXPECTED holds them."""
    rows = con.execute(
        "select period_start, revenue, deals_won, deals_lost from marts.sales_by_period "
        "where grain = 'month' and deals_won + deals_lost > 0 order by period_start"
    ).fetchall()
    return {str(r[0]): (Decimal(r[1]), r[2], r[3]) for r in rows}


@pytest.mark.integration
def test_hubspot_xlsx_exports_are_recognised_and_give_the_same_figures(tmp_path: Path, isolated_env: None) -> None:
    from pipelines.cli.runner import refresh_warehouse

    inbox = tmp_path / "inbox" / "hubspot"
    inbox.mkdir(parents=True)
    for csv_file in sorted((FIXTURES / "hubspot").glob("*.csv")):
        _csv_to_xlsx(csv_file, inbox / f"{csv_file.stem}.xlsx")
    paths = export_root(tmp_path)
    refresh_warehouse()
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        months = won_and_lost_by_month(con)
        accounts = con.execute("select count(*) from raw.canonical__accounts").fetchone()[0]
    assert months == EXPECTED["hubspot"]
    assert accounts > 0  # the companies workbook was recognised too


@pytest.mark.integration
def test_a_salesforce_formatted_report_xlsx_gives_the_same_figures(tmp_path: Path, isolated_env: None) -> None:
    """The report fixture as Salesforce's formatted .xlsx (title rows, empty column A, owner merged down over its
    deals, Subtotal and Total rows, the footer), through a whole run: the fixture's months to the cent, and the
    total rows are neither records nor quarantined lines."""
    from pipelines.cli.runner import refresh_warehouse
    from tests.unit.test_report_workbooks import formatted_report

    inbox = tmp_path / "inbox" / "salesforce_report"
    inbox.mkdir(parents=True)
    formatted_report(inbox / "report1774051200000.xlsx")
    paths = export_root(tmp_path)
    refresh_warehouse()
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        months = won_and_lost_by_month(con)
        deals = con.execute("select count(*) from raw.canonical__opportunities").fetchone()[0]
        quarantined = con.execute("select count(*) from quarantine.canonical__opportunities").fetchone()[0]
    assert months == EXPECTED["salesforce_report"]
    assert (deals, quarantined) == (14, 0)
