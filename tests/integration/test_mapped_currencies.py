"""HubSpot and Pipedrive exports in several currencies (issue 18, part 5): the built-in mappings read the deal's
currency ("Currency", "Deal - Currency") and the built-in rates mapping reads a rates file (Currency, Rate,
Start date), so amounts convert to USD at the rate of the close date, to the cent. A file whose deals are all in
one currency is read as before (the built-in fixtures' figures in test_builtin_sources stay as they were).
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.integration.conftest import export_root

FIXTURE = Path(__file__).parents[1] / "fixtures" / "exports" / "pipedrive"
# deal id → the currency it is changed to (the rest stay EUR)
CURRENCIES = {"102": "GBP", "107": "USD"}
# units per USD: EUR 0.75 static, 0.8 from 2026-02-01; GBP 0.5 static
RATES = [("USD", "1", ""), ("EUR", "0.75", ""), ("EUR", "0.8", "2026-02-01"), ("GBP", "0.5", "")]
# month → revenue in USD, summed by hand:
EXPECTED = {
    "2026-01-01": Decimal("25501.00"),  # 101 15000 EUR / 0.75 = 20000 + 102 2750.5 GBP / 0.5 = 5501
    "2026-02-01": Decimal("6050.75"),  # 105 4200 EUR / 0.8 (dated from 02-01) = 5250 + 107 800.75 USD
    "2026-03-01": Decimal("15432.0875"),  # 108 12345.67 EUR / 0.8
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Path:
    from pipelines.cli.runner import refresh_warehouse

    root = tmp_path_factory.mktemp("mapped_currencies")
    inbox = root / "inbox" / "pipedrive"
    shutil.copytree(FIXTURE, inbox)
    deals = next(inbox.glob("deals-*.csv"))
    with deals.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    at = rows[0].index("Deal - Currency")
    for row in rows[1:]:
        row[at] = CURRENCIES.get(row[0], row[at])
    with deals.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with (inbox / "exchange_rates.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([("Currency", "Rate", "Start date"), *RATES])
    paths = export_root(root)
    refresh_warehouse()
    return paths.warehouse


@pytest.mark.integration
def test_pipedrive_deals_in_three_currencies_convert_at_the_close_date_rate(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        months = con.execute(
            "select period_start, revenue from marts.sales_by_period where grain = 'month' and deals_won > 0"
        ).fetchall()
        deals = con.execute(
            "select opportunity_id, amount, amount_original, currency_original, rate_basis from "
            "marts.fct_opportunities where opportunity_id in ('101', '102', '105', '107')"
        ).fetchall()
        quarantined = con.execute("select count(*) from quarantine.canonical__opportunities").fetchone()[0]
    assert quarantined == 0
    assert {str(m): Decimal(r) for m, r in months} == EXPECTED
    assert {d[0]: (Decimal(d[1]), Decimal(d[2]), d[3], d[4]) for d in deals} == {
        "101": (Decimal("20000"), Decimal("15000"), "EUR", "static"),
        "102": (Decimal("5501"), Decimal("2750.5"), "GBP", "static"),
        "105": (Decimal("5250"), Decimal("4200"), "EUR", "dated"),
        "107": (Decimal("800.75"), Decimal("800.75"), "USD", "reporting_currency"),
    }
