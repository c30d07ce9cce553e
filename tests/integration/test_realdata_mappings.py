"""Real public exports through mapping files (examples/mappings/), the whole pipeline, figures exact.

Each test drops copies of the real files and the example mapping into a temporary inbox, runs
refresh_warehouse (ingest → audit → dbt), and checks the marts against the figures published in
the real data's README and against sums computed here from the CSV files with exact decimals. Marts keep
money exact (DECIMAL(38,6)), so a published figure is the mart's exact value rounded to the cent, and any sum of
mart rows equals the exact sum of the export.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.settings import PROJECT_ROOT
from tests.integration.conftest import export_root, restored_env
from tests.realdata import REALDATA

NORTHWIND = REALDATA / "northwind"
OLIST = REALDATA / "olist_marketing_funnel"
EXAMPLES = PROJECT_ROOT / "examples" / "mappings"
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """To the cent, half away from zero, as DuckDB rounds (16,642.605 → 16,642.61)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def mapped_env(isolated_env: None) -> Iterator[None]:
    with restored_env("SALES_MAPPING", "SALES_CONFIG"):
        os.environ.pop("SALES_MAPPING", None)
        yield


def run_inbox(root: Path, files: list[Path], mapping: Path, min_date: str = "1990-01-01") -> Path:
    """Copy ``files`` (a link out of the inbox is refused, as for any user) and the mapping (as mapping.yml) into
    an inbox folder; run the pipeline; the warehouse."""
    folder = root / "inbox" / "export"
    folder.mkdir(parents=True)
    for path in files:
        shutil.copy(path, folder / path.name)
    shutil.copy(mapping, folder / "mapping.yml")
    config = root / "salesmetrics.yml"
    config.write_text(f"audit:\n  min_date: {min_date}\n", encoding="utf-8")
    os.environ["SALES_CONFIG"] = str(config)
    paths = export_root(root)
    refresh_warehouse()
    return paths.warehouse


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.skipif(not NORTHWIND.exists(), reason=f"{NORTHWIND} is absent")
def test_northwind_orders_as_won_deals(tmp_path: Path, mapped_env: None) -> None:
    names = ["orders.csv", "order_details.csv", "employees.csv", "customers.csv", "products.csv"]
    check_northwind(run_inbox(tmp_path, [NORTHWIND / n for n in names], EXAMPLES / "northwind.yml"))


def check_northwind(warehouse: Path) -> None:
    # Independent figures from the CSVs, exact decimals.
    orders = {o["orderID"]: o for o in read_csv(NORTHWIND / "orders.csv")}
    employees = {e["employeeID"]: f"{e['firstName']} {e['lastName']}" for e in read_csv(NORTHWIND / "employees.csv")}
    net: dict[str, Decimal] = {}
    gross = Decimal(0)
    for line in read_csv(NORTHWIND / "order_details.csv"):
        price, quantity, discount = Decimal(line["unitPrice"]), Decimal(line["quantity"]), Decimal(line["discount"])
        net[line["orderID"]] = net.get(line["orderID"], Decimal(0)) + price * quantity * (1 - discount)
        gross += price * quantity
    by_rep: dict[str, Decimal] = {}
    for order_id, amount in net.items():
        rep = employees[orders[order_id]["employeeID"]]
        by_rep[rep] = by_rep.get(rep, Decimal(0)) + amount
    year_1997 = sum(a for o, a in net.items() if orders[o]["orderDate"].startswith("1997"))
    assert cents(sum(net.values())) == Decimal("1265793.04")  # the published figure
    assert cents(gross) == Decimal("1354458.59")

    with duckdb.connect(str(warehouse), read_only=True) as con:
        deals, revenue = con.execute(
            "select count(*), round(sum(amount), 2) from marts.fct_opportunities where status = 'won'"
        ).fetchone()
        assert (deals, revenue) == (830, Decimal("1265793.04")) == (len(net), cents(sum(net.values())))
        average = con.execute(
            "select cast(sum(amount) / count(*) as decimal(18, 2)) from marts.fct_opportunities where status = 'won'"
        ).fetchone()[0]
        assert average == Decimal("1525.05")
        yearly = dict(
            con.execute("select year(period_start), revenue from marts.sales_by_period where grain = 'year'").fetchall()
        )
        assert yearly[1997] == year_1997 and cents(yearly[1997]) == Decimal("617085.20")
        # Whichever grain an analyst sums, the rows add up to the exact net sales (not a sum of rounded rows).
        exact_total = sum(net.values())
        grains = ("day", "week", "month", "quarter", "year")
        by_grain = dict(con.execute("select grain, sum(revenue) from marts.sales_by_period group by grain").fetchall())
        assert by_grain == {grain: exact_total for grain in grains}
        assert cents(by_grain["year"]) == Decimal("1265793.04")
        # Every mart that splits the company's deals sums, at every grain, to the same exact figure.
        for mart in ("rep_performance", "product_performance", "region_performance", "segment_performance",
                     "funnel_by_source"):  # fmt: skip
            sums = dict(con.execute(f"select grain, sum(revenue) from marts.{mart} group by grain").fetchall())
            assert sums == {grain: exact_total for grain in grains}, mart
        new_revenue = con.execute(
            "select sum(new_customer_revenue) from marts.acquisition_cost where grain = 'year' and channel <> 'all'"
        ).fetchone()[0]
        first_orders: dict[str, tuple[str, str]] = {}
        for order_id in net:
            order = orders[order_id]
            key = (order["orderDate"], order_id)  # the first order, ties to the smaller id, as the marts do
            if order["customerID"] not in first_orders or key < first_orders[order["customerID"]]:
                first_orders[order["customerID"]] = key
        assert new_revenue == sum(net[order_id] for _, order_id in first_orders.values())
        (lifetime,) = con.execute("select sum(lifetime_revenue) from marts.customer_value").fetchone()
        (cohorts,) = con.execute("select sum(cohort_revenue) from marts.cohort_retention").fetchone()
        assert lifetime == cohorts == exact_total
        # Northwind has no unit costs: gross margin is unknown (NULL) everywhere, never a made-up figure.
        margins, rows = con.execute("select count(gross_margin), count(*) from marts.sales_by_period").fetchone()
        assert margins == 0 and rows > 0
        assert sum(deals for (deals,) in con.execute(
            "select deals_won from marts.sales_by_period where grain = 'year'"
        ).fetchall()) == 830  # fmt: skip
        reps = dict(
            con.execute(
                "select d.rep_name, round(sum(o.amount), 2) from marts.fct_opportunities o "
                "join marts.dim_reps d using (rep_id) group by d.rep_name"
            ).fetchall()
        )
        assert reps["Margaret Peacock"] == Decimal("232890.85")
        assert reps["Janet Leverling"] == Decimal("202812.84")
        assert reps["Nancy Davolio"] == Decimal("192107.60")
        assert reps["Steven Buchanan"] == Decimal("68792.28")
        assert reps == {name: cents(amount) for name, amount in by_rep.items()}
        # rep_performance (a metric mart) agrees per rep and year with the facts, exactly; its year rows summed
        # per rep are the published net sales by rep once rounded to the cent.
        rep_totals = dict(con.execute(
            "select d.rep_name, sum(r.revenue) from marts.rep_performance r join marts.dim_reps d using (rep_id) "
            "where r.grain = 'year' group by d.rep_name"
        ).fetchall())  # fmt: skip
        assert rep_totals == by_rep
        assert cents(rep_totals["Margaret Peacock"]) == Decimal("232890.85")
        assert cents(rep_totals["Steven Buchanan"]) == Decimal("68792.28")
        rep_years = con.execute(
            "select d.rep_name, year(r.period_start), r.revenue from marts.rep_performance r "
            "join marts.dim_reps d using (rep_id) where r.grain = 'year' and r.revenue > 0"
        ).fetchall()
        for name, year, value in rep_years:
            expected = sum(
                a for o, a in net.items()
                if employees[orders[o]["employeeID"]] == name and orders[o]["orderDate"].startswith(str(year))
            )  # fmt: skip
            assert value == expected, (name, year)
        gross_sales, discounts = con.execute(
            "select round(sum(list_price * quantity), 2), round(sum(discount_amount), 2) "
            "from marts.fct_opportunity_lines"
        ).fetchone()
        assert gross_sales == Decimal("1354458.59")
        assert gross_sales - discounts == Decimal("1265793.04")
        categories: dict[str, Decimal] = {}
        category_of = {p["productID"]: p["categoryID"] for p in read_csv(NORTHWIND / "products.csv")}
        for line in read_csv(NORTHWIND / "order_details.csv"):
            value = Decimal(line["unitPrice"]) * Decimal(line["quantity"]) * (1 - Decimal(line["discount"]))
            category = category_of[line["productID"]]
            categories[category] = categories.get(category, Decimal(0)) + value
        families = dict(con.execute(
            "select product_family, sum(revenue) from marts.product_performance where grain = 'month' "
            "and product_id <> 'unknown' group by product_family"
        ).fetchall())  # fmt: skip
        assert families == categories
        lineage = con.execute(
            "select count(*), count(distinct _source_name), min(_source_name) from raw.canonical__opportunities"
        ).fetchone()
        assert lineage == (830, 1, "northwind")
        assert con.execute("select count(*) from quarantine.canonical__opportunities").fetchone()[0] == 0


@pytest.mark.skipif(not OLIST.exists(), reason=f"{OLIST} is absent")
def test_olist_lead_conversion_by_origin(tmp_path: Path, mapped_env: None) -> None:
    names = ["olist_marketing_qualified_leads_dataset.csv", "olist_closed_deals_dataset.csv"]
    check_olist(run_inbox(tmp_path, [OLIST / n for n in names], EXAMPLES / "olist.yml", min_date="2000-01-01"), names)


def check_olist(warehouse: Path, names: list[str]) -> None:
    leads = read_csv(OLIST / names[0])
    won = {d["mql_id"] for d in read_csv(OLIST / names[1])}
    expected: dict[str, tuple[int, int]] = {}
    for lead in leads:
        origin = lead["origin"].strip() or "unknown"
        created, converted = expected.get(origin, (0, 0))
        expected[origin] = (created + 1, converted + (lead["mql_id"] in won))

    with duckdb.connect(str(warehouse), read_only=True) as con:
        funnel = {
            source: (int(created), int(converted))
            for source, created, converted in con.execute(
                "select lead_source, sum(leads_created), sum(leads_converted) from marts.funnel_by_source "
                "where grain = 'year' group by lead_source"
            ).fetchall()
            if created
        }
        won_deals = con.execute("select sum(deals_won) from marts.sales_by_period where grain = 'year'").fetchone()[0]
    total_created = sum(c for c, _ in funnel.values())
    total_converted = sum(v for _, v in funnel.values())
    assert (total_created, total_converted) == (8000, 842)
    # 842 / 8,000 = 10.525 %: the published 10.52 % rounds half to even.
    rate = (Decimal(total_converted) / Decimal(total_created) * 100).quantize(CENT, rounding=ROUND_HALF_EVEN)
    assert rate == Decimal("10.52")
    assert funnel["organic_search"] == (2296, 271)
    assert funnel["paid_search"] == (1586, 195)
    assert funnel["email"] == (493, 15)
    assert f"{271 / 2296:.2%}, {195 / 1586:.2%}, {15 / 493:.2%}" == "11.80%, 12.30%, 3.04%"
    assert funnel == expected
    assert won_deals == len(won) == 842


ADVENTUREWORKS = REALDATA / "adventureworks_reseller_quota"


@pytest.mark.skipif(not ADVENTUREWORKS.exists(), reason=f"{ADVENTUREWORKS} is absent")
def test_adventureworks_sales_and_unpivoted_targets(tmp_path: Path, mapped_env: None) -> None:
    """UTF-16 wide targets in thousands → 809 rep-month quotas; sales credited by EmployeeKey."""
    sales_file = ADVENTUREWORKS / "kiet_extract" / "FactResellerSales.csv"
    targets_file = ADVENTUREWORKS / "pl300_original" / "ResellerSalesTargets.csv"
    employees_file = ADVENTUREWORKS / "dnoeth_dw2014_pipe" / "DimEmployee.csv"
    check_adventureworks(
        run_inbox(
            tmp_path, [sales_file, targets_file, employees_file], EXAMPLES / "adventureworks.yml", min_date="2000-01-01"
        )
    )


def check_adventureworks(warehouse: Path) -> None:
    sales_file = ADVENTUREWORKS / "kiet_extract" / "FactResellerSales.csv"
    targets_file = ADVENTUREWORKS / "pl300_original" / "ResellerSalesTargets.csv"
    employees_file = ADVENTUREWORKS / "dnoeth_dw2014_pipe" / "DimEmployee.csv"
    employees = [line.split("|") for line in employees_file.read_text(encoding="utf-8").splitlines()]
    key_of = {e[3]: e[1] for e in employees}
    blythe = next(e[1] for e in employees if (e[6], e[7]) == ("Michael", "Blythe"))
    sales = read_csv(sales_file)
    total = sum(Decimal(s["SalesAmount"]) for s in sales)
    blythe_sales = sum(Decimal(s["SalesAmount"]) for s in sales if s["EmployeeKey"] == blythe)
    with targets_file.open(encoding="utf-16", newline="") as handle:
        targets = {
            (key_of[row["EmployeeID"]], f"{row['Year']}-{month[1:]}-01"): Decimal(value) * 1000
            for row in csv.DictReader(handle)
            for month, value in row.items()
            if month.startswith("M") and value.strip() != "-"
        }
    assert (cents(total), len(targets)) == (Decimal("77548570.20"), 809)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        orders, revenue = con.execute(
            "select count(*), round(sum(amount), 2) from marts.fct_opportunities where status = 'won'"
        ).fetchone()
        assert (orders, revenue) == (len({s["SalesOrderNumber"] for s in sales}), Decimal("77548570.20"))
        by_employee_key = con.execute(
            "select round(sum(o.amount), 2) from marts.fct_opportunities o join marts.dim_reps d using (rep_id) "
            "where d.rep_name = 'Michael Blythe'"
        ).fetchone()[0]
        assert by_employee_key == cents(blythe_sales)
        assert Decimal("8945000") < by_employee_key < Decimal("8955000")  # "about 8.95 M" (credited by EmployeeKey)
        quotas = {
            (rep, str(start)): amount
            for rep, start, amount in con.execute(
                "select rep_id, period_start, quota_amount::decimal(18, 2) from raw.canonical__quotas"
            ).fetchall()
        }
        assert quotas == targets
        monthly = con.execute(
            "select period_start, quota from marts.rep_performance where grain = 'month' and rep_id = ? "
            "and quota > 0 order by period_start",
            [blythe],
        ).fetchall()
    expected_monthly = sorted((start, amount) for (rep, start), amount in targets.items() if rep == blythe)
    in_calendar = [(s, a) for s, a in expected_monthly if s <= "2020-05-01"]
    assert [(str(s), q) for s, q in monthly] == in_calendar and len(in_calendar) > 30
