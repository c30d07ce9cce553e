"""Money is exact in the marts: any roll-up of mart rows equals the exact sum of the export's amounts.

A small hand-made export (a mapping file over orders, order lines with 4-decimal prices, products with 4-decimal
unit costs, campaigns with 4-decimal costs) goes through the whole pipeline. Every period's figure ends on a
fraction of a cent, so a mart that rounds its rows to the cent gives totals that drift off the exact sum as soon
as an analyst adds rows up (issue 11, item 6). Expected figures are computed here with Python's Decimal from the
same rows the files are written from.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import export_root, restored_env

GRAINS = ("day", "week", "month", "quarter", "year")

MAPPING = """\
source: moneytest
description: Orders with 4-decimal line prices and unit costs (hand-made, tests/integration/test_money_exact.py).
files:
  deals:     {pattern: "deals.csv"}
  lines:     {pattern: "lines.csv"}
  products:  {pattern: "products.csv"}
  reps:      {pattern: "reps.csv"}
  accounts:  {pattern: "accounts.csv"}
  campaigns: {pattern: "campaigns.csv"}
entities:
  opportunities:
    from: deals
    columns:
      opportunity_id: Deal
      account_id: Account
      owner_id: Owner
      created_date: Created
      close_date: Closed
      stage: Stage
      status: Status
      amount: Amount
      lead_source: Source
      campaign_id: Campaign
  opportunity_lines:
    from: lines
    columns:
      line_id: {expr: 'Deal || ''-'' || Product'}
      opportunity_id: Deal
      product_id: Product
      quantity: Qty
      unit_price: Price
  products:
    from: products
    columns:
      product_id: Product
      product_name: Name
      product_family: Family
      unit_cost: Cost
  reps:
    from: reps
    columns:
      rep_id: Rep
      rep_name: Name
      team: Team
      region: Region
  accounts:
    from: accounts
    columns:
      account_id: Account
      account_name: Name
      segment: Segment
      industry: Industry
      region: Region
  campaigns:
    from: campaigns
    columns:
      campaign_id: Campaign
      campaign_name: Name
      channel: Channel
      start_date: Start
      end_date: End
      actual_cost: Cost
"""

# product → (name, family, unit cost or None)
PRODUCTS = {
    "P1": ("Widget", "Hardware", Decimal("1.0015")),
    "P2": ("Gadget", "Hardware", Decimal("2.0025")),
    "P3": ("Support", "Services", None),
    "P4": ("Cable", "Hardware", Decimal("0.3335")),
}
CAMPAIGNS = [
    ("C1", "Spring webinar", "Web", "2023-01-01", "2023-03-31", Decimal("1000.0005")),
    ("C2", "Referral drive", "Referral", "2024-02-01", "2024-02-29", Decimal("333.3335")),
]


@dataclass(frozen=True)
class Deal:
    deal_id: str
    account: str
    owner: str
    created: date
    closed: date
    status: str
    amount: Decimal | None  # None: the deal is its lines' total
    source: str
    lines: tuple[tuple[str, int, Decimal], ...]  # product, quantity, unit price

    @property
    def value(self) -> Decimal:
        if self.amount is not None:
            return self.amount
        return sum((quantity * price for _, quantity, price in self.lines), Decimal(0))


def make_deals() -> list[Deal]:
    """Two years of deals, one or two a month, every price and amount with 4 decimals ending in 5."""
    deals = []
    for i in range(24):
        closed = date(2023 + i // 12, i % 12 + 1, 5 + i % 20)
        status = "lost" if i % 5 == 4 else "won"
        lines: tuple[tuple[str, int, Decimal], ...] = ()
        amount = None
        if i % 6 == 0:
            amount = Decimal("123.4565") + i  # a deal without lines: its amount goes to product `unknown`
        else:
            lines = (
                (f"P{i % 4 + 1}", i % 3 + 1, Decimal("10.0045") + Decimal("0.1230") * i),
                (f"P{(i + 1) % 4 + 1}", 1, Decimal("7.0015") + Decimal("0.0110") * i),
            )
        deals.append(
            Deal(
                deal_id=f"D{i:02d}",
                account=f"A{i % 3}",
                owner=f"R{i % 2}",
                created=closed - timedelta(days=20),
                closed=closed,
                status=status,
                amount=amount,
                source=("Web", "Referral")[i % 2],
                lines=lines,
            )  # fmt: skip
        )
        if i % 4 == 1:  # a second deal in the month, same day: another fraction of a cent
            deals.append(
                Deal(
                    deal_id=f"E{i:02d}",
                    account=f"A{(i + 1) % 3}",
                    owner=f"R{(i + 1) % 2}",
                    created=closed,
                    closed=closed,
                    status="won",
                    amount=None,
                    source="Web",
                    lines=(("P4", 2, Decimal("3.3335")), ("P1", 1, Decimal("0.0005"))),
                )  # fmt: skip
            )
    return deals


DEALS = make_deals()
WON = [d for d in DEALS if d.status == "won"]


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if v is None else str(v) for v in row] for row in rows)


def write_export(folder: Path) -> None:
    folder.mkdir(parents=True)
    write_csv(
        folder / "deals.csv",
        ["Deal", "Account", "Owner", "Created", "Closed", "Stage", "Status", "Amount", "Source", "Campaign"],
        [
            [d.deal_id, d.account, d.owner, d.created, d.closed, f"Closed {d.status.title()}", d.status, d.amount,
             d.source, "C1" if d.source == "Web" and d.closed.year == 2023 else None]
            for d in DEALS
        ],
    )  # fmt: skip
    write_csv(
        folder / "lines.csv",
        ["Deal", "Product", "Qty", "Price"],
        [[d.deal_id, product, quantity, price] for d in DEALS for product, quantity, price in d.lines],
    )
    write_csv(
        folder / "products.csv",
        ["Product", "Name", "Family", "Cost"],
        [[p, name, family, cost] for p, (name, family, cost) in PRODUCTS.items()],
    )
    reps = [["R0", "Ann Lee", "North", "EMEA"], ["R1", "Bob Roe", "South", "AMER"]]
    write_csv(folder / "reps.csv", ["Rep", "Name", "Team", "Region"], reps)
    write_csv(
        folder / "accounts.csv",
        ["Account", "Name", "Segment", "Industry", "Region"],
        [["A0", "Acme", "SMB", "Retail", "EMEA"], ["A1", "Beta", "Enterprise", "Tech", "AMER"],
         ["A2", "Gamma", "SMB", "Tech", "APAC"]],
    )  # fmt: skip
    write_csv(
        folder / "campaigns.csv",
        ["Campaign", "Name", "Channel", "Start", "End", "Cost"],
        [list(c) for c in CAMPAIGNS],
    )
    (folder / "mapping.yml").write_text(MAPPING, encoding="utf-8")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("money")
    write_export(root / "inbox" / "orders")
    config = root / "salesmetrics.yml"
    config.write_text("audit:\n  min_date: 2020-01-01\n", encoding="utf-8")
    with restored_env("SALES_CONFIG"):
        os.environ["SALES_CONFIG"] = str(config)
        paths = export_root(root)
        refresh_warehouse()
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        yield con


def exact_revenue(year: int | None = None) -> Decimal:
    return sum((d.value for d in WON if year is None or d.closed.year == year), Decimal(0))


def exact_line_cost(year: int) -> Decimal:
    return sum(
        (quantity * PRODUCTS[product][2] for d in WON if d.closed.year == year
         for product, quantity, _ in d.lines if PRODUCTS[product][2] is not None),
        Decimal(0),
    )  # fmt: skip


def grain_sums(con: duckdb.DuckDBPyConnection, mart: str, column: str, where: str = "true") -> dict[str, Decimal]:
    rows = con.execute(f"select grain, sum({column}) from marts.{mart} where {where} group by grain").fetchall()
    return dict(rows)


def test_the_fixture_has_fractions_of_a_cent() -> None:
    # The premise: exact totals that rounding per row cannot reproduce.
    assert exact_revenue() == Decimal("1097.6560")
    assert exact_revenue(2023) == Decimal("533.9210")
    assert exact_revenue(2024) == Decimal("563.7350")


def test_sales_by_period_rows_sum_to_the_exact_revenue_at_every_grain(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert grain_sums(warehouse, "sales_by_period", "revenue") == {g: exact_revenue() for g in GRAINS}
    years = dict(warehouse.execute(
        "select year(period_start), revenue from marts.sales_by_period where grain = 'year'"
    ).fetchall())  # fmt: skip
    # the calendar starts at the first created deal (December 2022): a year without sales shows 0
    assert years == {2022: Decimal(0), 2023: exact_revenue(2023), 2024: exact_revenue(2024)}


def test_product_revenue_sums_to_company_revenue(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert grain_sums(warehouse, "product_performance", "revenue") == {g: exact_revenue() for g in GRAINS}
    differing = warehouse.execute(
        "select s.grain, s.period_start, s.revenue, sum(p.revenue) from marts.sales_by_period s "
        "join marts.product_performance p using (grain, period_start) "
        "group by s.grain, s.period_start, s.revenue having sum(p.revenue) <> s.revenue"
    ).fetchall()
    assert differing == []


def test_one_product_familys_rows_sum_to_its_exact_revenue(warehouse: duckdb.DuckDBPyConnection) -> None:
    hardware = sum(
        (quantity * price for d in WON for product, quantity, price in d.lines if PRODUCTS[product][1] == "Hardware"),
        Decimal(0),
    )
    assert hardware == Decimal("453.5540")
    for grain in GRAINS:
        (total,) = warehouse.execute(
            "select sum(revenue) from marts.product_performance where product_family = 'Hardware' and grain = ?",
            [grain],
        ).fetchone()
        assert (grain, total) == (grain, hardware)


def test_gross_margin_uses_exact_line_costs(warehouse: duckdb.DuckDBPyConnection) -> None:
    margins = dict(warehouse.execute(
        "select year(period_start), gross_margin from marts.sales_by_period where grain = 'year'"
    ).fetchall())  # fmt: skip
    assert exact_line_cost(2023) == Decimal("25.6975")
    assert margins == {2022: None, **{y: exact_revenue(y) - exact_line_cost(y) for y in (2023, 2024)}}
    costs = warehouse.execute(
        "select sum(cost) from intermediate.int_opportunity_lines_costed where cost is not null"
    ).fetchone()[0]
    all_costs = sum(
        (q * PRODUCTS[p][2] for d in DEALS for p, q, _ in d.lines if PRODUCTS[p][2] is not None), Decimal(0)
    )
    assert costs == all_costs
    # A period's gross margin is NULL when none of its deals has a known cost, so margins of days and of years
    # are not the same sum; the cost of goods sold behind them is, at every grain, exactly.
    cost_of_goods_sold = grain_sums(warehouse, "sales_by_period", "revenue - gross_margin", "gross_margin is not null")
    assert cost_of_goods_sold == {g: exact_line_cost(2023) + exact_line_cost(2024) for g in GRAINS}


def test_marketing_spend_is_spread_exactly(warehouse: duckdb.DuckDBPyConnection) -> None:
    spend = sum((c[-1] for c in CAMPAIGNS), Decimal(0))
    assert grain_sums(warehouse, "acquisition_cost", "marketing_spend", "channel = 'all'") == {
        g: spend for g in ("month", "quarter", "year")
    }
    assert grain_sums(warehouse, "campaign_performance", "spend") == {g: spend for g in GRAINS}


# Every mart with a grain and a money column: how its rows add up to the company (sales_by_period). A mart
# whose rows partition the company's deals lists the money columns that must sum, per grain x period, to
# sales_by_period's column of the same name (or the named one); a mart that does not partition them says why.
PARTITIONS: dict[str, tuple[str, dict[str, str]]] = {
    "rep_performance": ("true", {"revenue": "revenue"}),
    "funnel_by_source": ("true", {"revenue": "revenue"}),
    "product_performance": ("true", {"revenue": "revenue", "cost": "revenue - gross_margin"}),
    "region_performance": ("true", {"revenue": "revenue"}),
    "segment_performance": ("true", {"revenue": "revenue"}),
    "acquisition_cost": ("channel <> 'all'", {"new_customer_revenue": "new_customer_revenue"}),
    "customer_retention": ("true", {}),
}
NOT_PARTITIONS = {
    "sales_by_period": "the company itself",
    "campaign_performance": "only deals credited to a campaign (spend: test_marketing_spend_is_spread_exactly)",
    "unit_economics": "company ratios over a trailing window, not a split of the period's deals",
    "kpi_scorecard": "long format: one row per KPI and scope, checked against sales_by_period in test_scorecard",
}


def money_marts(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_name, list(column_name order by ordinal_position) filter (where data_type like 'DECIMAL%'), "
        "bool_or(column_name = 'grain') from information_schema.columns where table_schema = 'marts' "
        "group by table_name"
    ).fetchall()
    return {name: columns for name, columns, has_grain in rows if has_grain and columns}


def test_every_money_mart_with_a_grain_sums_to_the_company_exactly(warehouse: duckdb.DuckDBPyConnection) -> None:
    marts = money_marts(warehouse)
    unexplained = set(marts) - set(PARTITIONS) - set(NOT_PARTITIONS)
    assert not unexplained, f"say in PARTITIONS or NOT_PARTITIONS how these marts add up: {sorted(unexplained)}"
    for mart, (where, columns) in PARTITIONS.items():
        for column, company_column in columns.items():
            differing = warehouse.execute(
                f"""
                with parts as (
                    select grain, period_start, sum({column}) as total from marts.{mart} where {where}
                    group by grain, period_start
                )
                select s.grain, s.period_start, {company_column} as company, parts.total
                from marts.sales_by_period s join parts using (grain, period_start)
                where coalesce(parts.total, 0) <> coalesce({company_column}, 0)
                """
            ).fetchall()
            assert differing == [], (mart, column, differing[:3])
            # and the grain's rows add up to the exact company figure, whichever grain an analyst sums
            company = grain_sums(warehouse, "sales_by_period", company_column)
            assert grain_sums(warehouse, mart, column, where) == {g: company[g] for g in grain_sums(
                warehouse, mart, column, where)}, (mart, column)  # fmt: skip
    assert grain_sums(warehouse, "rep_performance", "revenue") == {g: exact_revenue() for g in GRAINS}


def test_customer_marts_sum_to_the_exact_revenue(warehouse: duckdb.DuckDBPyConnection) -> None:
    lifetime = warehouse.execute("select sum(lifetime_revenue) from marts.customer_value").fetchone()[0]
    assert lifetime == exact_revenue()
    by_account: dict[str, Decimal] = defaultdict(Decimal)
    for d in WON:
        by_account[d.account] += d.value
    assert dict(warehouse.execute("select account_id, lifetime_revenue from marts.customer_value").fetchall()) == (
        by_account
    )
    cohorts = warehouse.execute("select sum(cohort_revenue) from marts.cohort_retention").fetchone()[0]
    assert cohorts == exact_revenue()


def test_averages_are_exact_quotients_not_cents(warehouse: duckdb.DuckDBPyConnection) -> None:
    # 2023's average deal: the exact revenue over the won deals, to the sixth decimal (half away from zero).
    deals_2023 = sum(1 for d in WON if d.closed.year == 2023)
    expected = (exact_revenue(2023) / deals_2023).quantize(Decimal("0.000001"), rounding="ROUND_HALF_UP")
    (average,) = warehouse.execute(
        "select avg_deal_size from marts.sales_by_period where grain = 'year' and year(period_start) = 2023"
    ).fetchone()
    assert average == expected
