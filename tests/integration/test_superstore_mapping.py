"""An order-lines export shaped like the "Superstore" retail file, through examples/mappings/superstore.yml and
the whole pipeline (ingest → audit → dbt), checked against figures computed here from the fixture with exact
decimals.

The fixture is generated here (deterministic, a few hundred lines): one row per order line with 4-decimal
sales (261.96, 957.5775, …), negative profits, US M/D/YYYY dates, a product name with a comma and quotes, and a
People.csv of regional managers. An ad-platform file of ad rows without dates rides along (campaigns through
group_by) to show that undated spend is reported, not silently dropped, and that CAC without placeable spend is
NULL with a reason.
"""

from __future__ import annotations

import csv
import os
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.settings import PROJECT_ROOT
from tests.integration.conftest import export_root, restored_env

MAPPING = PROJECT_ROOT / "examples" / "mappings" / "superstore.yml"
HEADER = ["Row ID", "Order ID", "Order Date", "Ship Date", "Ship Mode", "Customer ID", "Customer Name", "Segment",
          "Country", "City", "State", "Postal Code", "Region", "Product ID", "Category", "Sub-Category",
          "Product Name", "Sales", "Quantity", "Discount", "Profit"]  # fmt: skip
MANAGERS = {"West": "Wren Aldana", "East": "Ezra Bishop", "Central": "Cora Dunmore", "South": "Sol Ferreira"}
PLACES = {
    "West": [("Los Angeles", "California", "90036"), ("Seattle", "Washington", "98103")],
    "East": [("New York City", "New York", "10035"), ("Philadelphia", "Pennsylvania", "19140")],
    "Central": [("Chicago", "Illinois", "60610"), ("Houston", "Texas", "77095")],
    "South": [("Henderson", "Kentucky", "42420"), ("Fort Lauderdale", "Florida", "33311")],
}
FAMILIES = {"FUR": ("Furniture", ["Bookcases", "Chairs", "Tables"]),
            "OFF": ("Office Supplies", ["Binders", "Paper", "Storage"]),
            "TEC": ("Technology", ["Phones", "Accessories", "Machines"])}  # fmt: skip
SEEN_SALES = "261.96 731.94 14.62 957.5775 22.368 48.86 7.28 907.152 18.504 114.9 1706.184 911.424 15.552".split()


def us_date(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def superstore_lines(seed: int = 11) -> list[dict[str, str]]:
    rng = random.Random(seed)
    products = []
    for number in range(30):
        prefix = rng.choice(sorted(FAMILIES))
        family, subs = FAMILIES[prefix]
        sub = rng.choice(subs)
        name = f"{sub} model {number}"
        if number == 3:
            name = 'Bretford CR4500 Series Slim Rectangular Table, 60" x 30"'
        products.append((f"{prefix}-{sub[:2].upper()}-{10001000 + number * 37}", family, sub, name))
    segments = ["Consumer", "Corporate", "Home Office"]
    customers = []
    for number in range(45):
        first, last = (
            rng.choice(["Claire", "Darrin", "Sean", "Brosina", "Andrew", "Irene"]),
            rng.choice(["Gute", "Van Huff", "O'Donnell", "Hoffman", "Allen", "Maddox"]),
        )
        initials = first[0] + last[0]
        customers.append((f"{initials}-{12000 + number * 15}", f"{first} {last}", rng.choice(segments)))
    rows: list[dict[str, str]] = []
    start = date(2023, 1, 1)
    for number in range(160):
        day = start + timedelta(days=rng.randrange(3 * 365))
        region = rng.choice(sorted(PLACES))
        city, state, postal = rng.choice(PLACES[region])
        customer = rng.choice(customers)
        order_id = f"{rng.choice(['CA', 'US'])}-{day.year}-{100000 + number * 613}"
        ship = day + timedelta(days=rng.randrange(7))
        mode = rng.choice(["Second Class", "Standard Class", "First Class", "Same Day"])
        for _ in range(rng.randint(1, 4)):
            product = rng.choice(products)
            if len(rows) < len(SEEN_SALES):
                sales = Decimal(SEEN_SALES[len(rows)])
            else:
                sales = Decimal(rng.randrange(500, 2_500_000)) / 10_000
            quantity = rng.randint(1, 9)
            discount = rng.choice(["0", "0.2", "0.45", "0.8", "0.1"])
            margin = Decimal(rng.randrange(-3000, 5000)) / 10_000  # −30 % … +50 %: mostly profitable, some losses
            profit = (sales * margin).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
            rows.append({
                "Row ID": str(len(rows) + 1), "Order ID": order_id, "Order Date": us_date(day),
                "Ship Date": us_date(ship), "Ship Mode": mode, "Customer ID": customer[0],
                "Customer Name": customer[1], "Segment": customer[2], "Country": "United States", "City": city,
                "State": state, "Postal Code": postal, "Region": region, "Product ID": product[0],
                "Category": product[1], "Sub-Category": product[2], "Product Name": product[3],
                "Sales": format(sales.normalize(), "f"), "Quantity": str(quantity), "Discount": discount,
                "Profit": format(profit.normalize(), "f"),
            })  # fmt: skip
    return rows


ADS = [  # one row per ad, no dates: spend per campaign = Σ ads; nothing can place it in a period
    ("C-100", "ad-1", "120.5050"), ("C-100", "ad-2", "79.4950"), ("C-200", "ad-3", "1,234.56"),
    ("C-300", "ad-4", "0.01"), ("C-300", "ad-5", "0.0049"),
]  # fmt: skip


@dataclass(frozen=True)
class Built:
    warehouse: Path
    lines: list[dict[str, str]]
    metadata: dict[str, dict]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Iterator[Built]:
    """The fixture through examples/mappings/superstore.yml and refresh_warehouse_job, once for this file."""
    with restored_env("SALES_MAPPING", "SALES_CONFIG"):
        os.environ.pop("SALES_MAPPING", None)
        root = tmp_path_factory.mktemp("superstore")
        lines = superstore_lines()
        write_inbox(root / "inbox" / "superstore", lines)
        config = root / "salesmetrics.yml"
        config.write_text("audit:\n  min_date: 2000-01-01\n", encoding="utf-8")
        os.environ["SALES_CONFIG"] = str(config)
        paths = export_root(root)
        result = refresh_warehouse()
        metadata = {
            event.asset_key.path[-1]: event.materialization.metadata
            for event in result.get_asset_materialization_events()
        }
        yield Built(paths.warehouse, lines, metadata)


def year_of(line: dict[str, str]) -> int:
    return int(line["Order Date"].rsplit("/", 1)[1])


def write_inbox(folder: Path, lines: list[dict[str, str]]) -> None:
    folder.mkdir(parents=True)
    with (folder / "Sample - Superstore.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(lines)
    with (folder / "People.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Person", "Region"])
        writer.writerows((person, region) for region, person in MANAGERS.items())
    with (folder / "ads.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Campaign ID", "Ad ID", "Spend"])
        writer.writerows(ADS)
    # the example mapping, plus the ad file as campaigns (one per Campaign ID, spend = Σ ads, no dates)
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    mapping["files"]["ads"] = {"pattern": "ads.csv"}
    mapping["entities"]["campaigns"] = {
        "from": "ads",
        "group_by": ["Campaign ID"],
        "columns": {"campaign_id": "Campaign ID", "channel": {"const": "paid_social"},
                    "actual_cost": {"expr": "sum(num(Spend))"}},
    }  # fmt: skip
    (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")


def test_superstore_order_lines_through_the_example_mapping(built: Built) -> None:
    lines = built.lines
    # Independent figures from the fixture, exact decimals.
    orders: dict[str, dict[str, str]] = {}
    sales_by_order: dict[str, Decimal] = defaultdict(Decimal)
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    by_family: dict[str, Decimal] = defaultdict(Decimal)
    by_product_year: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    by_region: dict[str, Decimal] = defaultdict(Decimal)
    by_region_year: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    by_rep_year: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    by_rep: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        sales = Decimal(line["Sales"])
        orders.setdefault(line["Order ID"], line)
        sales_by_order[line["Order ID"]] += sales
        by_year[int(line["Order Date"].rsplit("/", 1)[1])] += sales
        by_family[line["Category"]] += sales
        by_product_year[(line["Product ID"], int(line["Order Date"].rsplit("/", 1)[1]))] += sales
        by_region[line["Region"]] += sales
        by_region_year[(line["Region"], int(line["Order Date"].rsplit("/", 1)[1]))] += sales
        by_rep_year[(MANAGERS[line["Region"]], int(line["Order Date"].rsplit("/", 1)[1]))] += sales
        by_rep[MANAGERS[line["Region"]]] += sales
    total = sum(sales_by_order.values())
    assert len(lines) > 300 and len(orders) == 160 and any(Decimal(line["Profit"]) < 0 for line in lines)
    assert any(len(line["Sales"].split(".")[-1]) == 4 for line in lines)

    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        count, amount = con.execute(
            "select count(*), sum(amount) from marts.fct_opportunities where status = 'won'"
        ).fetchone()
        assert (count, amount) == (160, total)  # every order a won deal; amounts kept at 4 decimals
        assert con.execute("select count(*) from quarantine.canonical__opportunities").fetchone()[0] == 0
        lineage = dict(con.execute("select opportunity_id, _source_line from raw.canonical__opportunities").fetchall())
        first_line = {}
        for number, line in enumerate(lines, start=2):
            first_line.setdefault(line["Order ID"], number)
        assert lineage == first_line  # an order lands at its first line
        yearly = dict(
            con.execute(
                "select year(period_start), revenue from marts.sales_by_period where grain = 'year' and revenue <> 0"
            ).fetchall()
        )
        assert yearly == dict(by_year)  # exact: marts keep money unrounded (docs/metrics.md, Money policy)
        # Any roll-up an analyst writes over mart rows is exact, at every grain: Σ rows = the fixture's total.
        for mart in ("sales_by_period", "product_performance", "region_performance", "rep_performance"):
            sums = dict(con.execute(f"select grain, sum(revenue) from marts.{mart} group by grain").fetchall())
            assert sums == dict.fromkeys(("day", "week", "month", "quarter", "year"), total), mart
        product_years = {
            (product, year): revenue
            for product, year, revenue in con.execute(
                "select product_id, year(period_start), revenue from marts.product_performance "
                "where grain = 'year' and revenue <> 0"
            ).fetchall()
        }
        assert by_product_year[("FUR-BO-10001666", 2024)] == Decimal("571.445")  # half a cent, kept
        assert product_years == dict(by_product_year)
        families = dict(
            con.execute(
                "select product_family, sum(revenue) from marts.product_performance where grain = 'year' "
                "group by product_family having sum(revenue) <> 0"
            ).fetchall()
        )
        assert families == dict(by_family)
        # region_performance and rep_performance: one row per region (rep) and year, each the exact sum
        regions = {
            (region, year): revenue
            for region, year, revenue in con.execute(
                "select region, year(period_start), revenue from marts.region_performance "
                "where grain = 'year' and revenue <> 0"
            ).fetchall()
        }
        assert regions == dict(by_region_year)
        reps = {
            (rep, year): revenue
            for rep, year, revenue in con.execute(
                "select d.rep_name, year(r.period_start), r.revenue from marts.rep_performance r "
                "join marts.dim_reps d using (rep_id) where r.grain = 'year' and r.revenue <> 0"
            ).fetchall()
        }
        assert reps == dict(by_rep_year)
        for name, exact in (*by_region.items(), *by_rep.items()):
            assert sum(v for (who, _), v in (*regions.items(), *reps.items()) if who == name) == exact
        accounts = con.execute("select count(*), count(distinct segment) from marts.dim_accounts").fetchone()
        assert accounts == (len({line["Customer ID"] for line in lines}), 3)
        products = con.execute("select count(*) from raw.canonical__products").fetchone()[0]
        assert products == len({line["Product ID"] for line in lines})

        # campaigns from ad rows: one per campaign, spend = Σ its ads, landed although undated …
        campaigns = dict(con.execute("select campaign_id, actual_cost from raw.canonical__campaigns").fetchall())
        assert {k: Decimal(v) for k, v in campaigns.items()} == {
            "C-100": Decimal("200.0000"), "C-200": Decimal("1234.56"), "C-300": Decimal("0.0149")
        }  # fmt: skip
        # … but no period can hold their spend, and CAC without any placeable spend is NULL with a reason
        spend = con.execute("select sum(marketing_spend) from marts.acquisition_cost where grain = 'year'").fetchone()
        assert spend[0] == 0
        cac = con.execute(
            "select count(*), count(cac), min(cac_null_reason) from marts.acquisition_cost "
            "where channel = 'all' and new_customers > 0"
        ).fetchone()
        assert cac[0] > 0 and cac[1] == 0 and "no marketing spend" in cac[2]

    from pipelines.lib.ingest.mapping.notices import unplaced_campaigns

    notice = unplaced_campaigns(built.warehouse)
    assert notice == (
        "3 campaigns have no start date; their spend 1,434.57 cannot be placed in any period (campaign_performance, "
        "acquisition_cost and CAC leave it out): map start_date and end_date."
    )
    assert built.metadata["canonical__campaigns"]["campaigns_without_dates"].value == notice


def test_superstore_gross_margin_is_the_sum_of_profit(built: Built) -> None:
    """Gross margin per year = Σ Profit of the year's lines (cost = Sales − Profit), exact (no line cost rounded)."""
    profit: dict[int, Decimal] = defaultdict(Decimal)
    for line in built.lines:
        profit[year_of(line)] += Decimal(line["Profit"])
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        margins = dict(
            con.execute(
                "select year(period_start), gross_margin from marts.sales_by_period "
                "where grain = 'year' and revenue <> 0"
            ).fetchall()
        )
        sums = dict(con.execute("select grain, sum(gross_margin) from marts.sales_by_period group by grain").fetchall())
    assert margins == dict(profit)
    assert sums == dict.fromkeys(("day", "week", "month", "quarter", "year"), sum(profit.values()))
