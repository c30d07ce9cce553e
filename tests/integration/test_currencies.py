"""A multi-currency Salesforce org end to end (issue 18, part 5): ingest → audit → transform.

Deals in EUR and GBP close on both sides of a dated rate change (2026-04-01) and convert to USD, the reporting
currency, at the rate valid on their close date, to the cent; a JPY deal has only a static rate (CurrencyType);
a deal without a CurrencyIsoCode is in the reporting currency; a deal in XTS, a currency without any rate, is
quarantined with the reason and never reaches the marts. Expected figures are Python Decimals: amount x rate(USD)
/ rate(currency), rates in units per USD (the corporate currency).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import export_root, restored_env

USER = "0055g00000RepAAAA"
ACCOUNT = "0015g00000AcmeAAA"
CURRENCY_TYPES = [  # Id, IsoCode, ConversionRate (units per USD), IsCorporate
    ("02B000000000001", "USD", "1.000000", "true"),
    ("02B000000000002", "EUR", "0.950000", "false"),
    ("02B000000000003", "GBP", "0.800000", "false"),
    ("02B000000000004", "JPY", "150.000000", "false"),
]
DATED_RATES = [  # Id, IsoCode, ConversionRate, StartDate, NextStartDate
    ("04w000000000001", "EUR", "0.900000", "2026-01-01", "2026-04-01"),
    ("04w000000000002", "EUR", "0.800000", "2026-04-01", ""),
    ("04w000000000003", "GBP", "0.750000", "2026-01-01", "2026-04-01"),
    ("04w000000000004", "GBP", "0.780000", "2026-04-01", ""),
]
# Id, CurrencyIsoCode, Amount, CloseDate → expected USD amount, rate_basis
DEALS = {
    "006000000000EUR1": ("EUR", "900.00", "2026-03-31", Decimal("1000.00"), "dated"),  # 900 / 0.9
    "006000000000EUR2": ("EUR", "900.00", "2026-04-01", Decimal("1125.00"), "dated"),  # 900 / 0.8: the new rate
    "006000000000GBP1": ("GBP", "1000.00", "2026-03-15", Decimal("1333.333333"), "dated"),  # 1000 / 0.75
    "006000000000GBP2": ("GBP", "780.00", "2026-05-02", Decimal("1000.00"), "dated"),  # 780 / 0.78
    "006000000000JPY1": ("JPY", "15000", "2026-02-01", Decimal("100.00"), "static"),  # 15000 / 150
    "006000000000USD1": ("USD", "500.10", "2026-03-10", Decimal("500.10"), "reporting_currency"),
    "006000000000NON1": ("", "250.25", "2026-04-20", Decimal("250.25"), "reporting_currency"),
}
UNKNOWN = ("006000000000XTS1", "XTS", "100.00", "2026-03-10")
LINES = [  # a line of the first EUR deal converts at its deal's rate
    ("00k000000000001", "006000000000EUR1", "01t000000000001", "2", "450.00", "450.00", "900.00"),
]
CONFIG = """\
audit:
  quarantine_max_share: 0.5
publish:
  reporting_currency: USD
"""


def write(folder: Path, name: str, header: list[str], rows: list[tuple[str, ...]]) -> None:
    with (folder / f"{name}.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


def write_export(folder: Path) -> None:
    folder.mkdir(parents=True)
    write(folder, "User", ["Id", "Name", "Department", "Division", "IsActive"], [(USER, "Ada", "East", "EMEA", "true")])
    write(folder, "Account", ["Id", "Name", "OwnerId"], [(ACCOUNT, "Acme", USER)])
    write(folder, "Product2", ["Id", "Name"], [("01t000000000001", "Widget")])
    header = ["Id", "AccountId", "OwnerId", "StageName", "Amount", "CloseDate", "CreatedDate", "IsClosed", "IsWon",
              "CurrencyIsoCode"]  # fmt: skip
    deals = [(i, ACCOUNT, USER, "Closed Won", amount, close, "2026-01-02T09:00:00.000Z", "true", "true", code)
             for i, (code, amount, close, _, _) in DEALS.items()]  # fmt: skip
    deals.append((UNKNOWN[0], ACCOUNT, USER, "Closed Won", UNKNOWN[2], UNKNOWN[3], "2026-01-02T09:00:00.000Z", "true",
                  "true", UNKNOWN[1]))  # fmt: skip
    write(folder, "Opportunity", header, deals)
    write(folder, "OpportunityLineItem",
          ["Id", "OpportunityId", "Product2Id", "Quantity", "UnitPrice", "ListPrice", "TotalPrice"], LINES)  # fmt: skip
    write(folder, "CurrencyType", ["Id", "IsoCode", "ConversionRate", "IsCorporate"], CURRENCY_TYPES)
    write(folder, "DatedConversionRate", ["Id", "IsoCode", "ConversionRate", "StartDate", "NextStartDate"], DATED_RATES)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("currencies")
    write_export(root / "inbox" / "salesforce" / "2026-06-30")
    (root / "salesmetrics.yml").write_text(CONFIG)
    with restored_env("SALES_CONFIG"):
        os.environ["SALES_CONFIG"] = str(root / "salesmetrics.yml")
        paths = export_root(root)
        refresh_warehouse()
        yield paths.warehouse


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_deals_convert_at_the_rate_of_their_close_date_to_the_cent(warehouse: Path) -> None:
    got = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            "select opportunity_id, amount, amount_original, currency_original, rate_basis "
            "from marts.fct_opportunities",
        )
    }
    expected = {i: (usd, Decimal(amount), code or "USD", basis) for i, (code, amount, _, usd, basis) in DEALS.items()}
    assert got == expected
    # the GBP deal is the one quotient that does not end: 1000 / 0.75 to the 6th decimal, 1,333.33 to the cent
    assert got["006000000000GBP1"][0].quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("1333.33")


def test_monthly_revenue_sums_converted_amounts(warehouse: Path) -> None:
    revenue = dict(
        query(
            warehouse,
            "select period_start, revenue from marts.sales_by_period where grain = 'month' "
            "and period_start between date '2026-02-01' and date '2026-05-01' order by period_start",
        )
    )
    by_month: dict[str, Decimal] = {}
    for _, _, close, usd, _ in DEALS.values():
        by_month[close[:7]] = by_month.get(close[:7], Decimal(0)) + usd
    assert {str(k)[:7]: v for k, v in revenue.items()} == by_month
    assert by_month == {
        "2026-02": Decimal("100.00"),
        "2026-03": Decimal("2833.433333"),  # 1000 + 1333.333333 + 500.10, the XTS deal left out
        "2026-04": Decimal("1375.25"),  # 1125 + 250.25
        "2026-05": Decimal("1000.00"),
    }


def test_a_line_converts_at_its_deals_rate(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select line_id, unit_price, total_price, total_price_original, currency_original "
        "from marts.fct_opportunity_lines",
    ) == [("00k000000000001", Decimal("500.00"), Decimal("1000.00"), Decimal("900.00"), "EUR")]


def test_a_deal_in_a_currency_without_a_rate_is_quarantined_with_the_reason(warehouse: Path) -> None:
    quarantined = query(
        warehouse,
        "select _source_line, rule, column_name, offending_value, json_extract_string(record, '$.Id') "
        "from quarantine.salesforce__opportunity",
    )
    assert quarantined == [
        (
            len(DEALS) + 2,  # header is line 1, the XTS deal comes after the others
            "CurrencyIsoCode__has_rate",
            "CurrencyIsoCode",
            "XTS on 2026-03-10: no conversion rate to USD (export DatedConversionRate or CurrencyType with it, "
            "or map a rates file)",
            UNKNOWN[0],
        )
    ]
    assert query(warehouse, f"select count(*) from marts.fct_opportunities where opportunity_id = '{UNKNOWN[0]}'") == [
        (0,)
    ]


# A mapped export in several currencies: Pipedrive deals (EUR, one turned GBP) with the built-in mapping plus its
# currency column and a rates file, read through a mapping.yml beside them.
PIPEDRIVE = Path(__file__).parents[1] / "fixtures" / "exports" / "pipedrive"
RATES_CSV = "Currency,Rate,From\nEUR,0.900000,2026-01-01\neur,0.800000,2026-02-01\nGBP,0.750000,\nUSD,1,\n"
# month → won deals' USD amounts, each converted on its own close date (EUR 0.9 in January, 0.8 from February)
MAPPED_EXPECTED = {
    "2026-01": [Decimal("15000") / Decimal("0.9"), Decimal("2750.5") / Decimal("0.9")],  # 101, 102
    "2026-02": [Decimal("4200") / Decimal("0.8"), Decimal("800.75") / Decimal("0.75")],  # 105 EUR, 107 GBP
    "2026-03": [Decimal("12345.67") / Decimal("0.8")],  # 108
}


def write_mapped_export(folder: Path) -> None:
    import yaml

    folder.mkdir(parents=True)
    for path in PIPEDRIVE.iterdir():
        text = path.read_text(encoding="utf-8-sig")
        if path.name.startswith("deals"):
            text = text.replace(",800.75,EUR,", ",800.75,GBP,")
        (folder / path.name).write_text(text, encoding="utf-8")
    mapping = yaml.safe_load((Path(__file__).parents[2] / "pipelines" / "mappings" / "pipedrive.yml").read_text())
    mapping["files"]["rates"] = {"pattern": "rates*.csv"}
    mapping["entities"]["opportunities"]["columns"]["currency"] = "Deal - Currency"
    mapping["entities"]["currency_rates"] = {
        "from": "rates",
        "columns": {"currency": "Currency", "rate": "Rate", "start_date": "From"},
    }
    (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, sort_keys=False))
    (folder / "rates.csv").write_text(RATES_CSV)


@pytest.fixture(scope="module")
def mapped_warehouse(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("mapped_currencies")
    write_mapped_export(root / "inbox" / "pipedrive")
    (root / "salesmetrics.yml").write_text(CONFIG)
    with restored_env("SALES_CONFIG"):
        os.environ["SALES_CONFIG"] = str(root / "salesmetrics.yml")
        paths = export_root(root)
        refresh_warehouse()
        yield paths.warehouse


def test_a_mapped_export_converts_with_a_mapped_rates_file(mapped_warehouse: Path) -> None:
    six = Decimal("0.000001")
    expected = {
        month: sum((a.quantize(six, ROUND_HALF_UP) for a in amounts), Decimal(0))
        for month, amounts in MAPPED_EXPECTED.items()
    }
    revenue = query(
        mapped_warehouse,
        "select strftime(period_start, '%Y-%m'), revenue from marts.sales_by_period where grain = 'month' "
        "and period_start between date '2026-01-01' and date '2026-03-01' order by period_start",
    )
    assert dict(revenue) == expected
    assert expected == {
        "2026-01": Decimal("19722.777778"),  # 16666.666667 + 3056.111111
        "2026-02": Decimal("6317.666667"),  # 5250 + 1067.666667
        "2026-03": Decimal("15432.0875"),
    }
    bases = query(
        mapped_warehouse,
        "select currency_original, rate_basis, count(*) from marts.fct_opportunities group by all order by 1, 2",
    )
    assert bases == [("EUR", "dated", 11), ("GBP", "static", 1)]
