"""The "CRM Sales Opportunities" dataset (Maven Analytics) through examples/mappings/maven_crm.yml, run as a user
runs it (`salesmetrics run --inbox FOLDER --mapping examples/mappings/maven_crm.yml` in a fresh workspace), the
marts checked against figures computed here from the generated files with exact decimals.

The files are generated (tests/integration/maven_crm_fixture.py, 200 deals, seeded) in the dataset's layout, with
its quirks: names instead of ids, no account and no engage date at Prospecting, no close date or value for open
deals, 0 for lost ones, a data_dictionary.csv of documentation beside the data, and "GTX Pro" in products.csv
spelt "GTXPro" on the deals.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.lib.settings import PROJECT_ROOT
from tests.integration.conftest import export_root, restored_env
from tests.integration.maven_crm_fixture import MavenCrm, maven_crm, write_maven_crm

MAPPING = PROJECT_ROOT / "examples" / "mappings" / "maven_crm.yml"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Ran:
    data: MavenCrm
    folder: Path
    warehouse: Path
    output: str


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"}, prog_name="salesmetrics")
    return result.exit_code, result.stdout + result.stderr


def run_as_a_user(root: Path, mapping: Path) -> Ran:
    data = maven_crm()
    folder = root / "inbox" / "maven"
    write_maven_crm(folder, data)
    paths = export_root(root)
    code, output = invoke("run", "--inbox", str(folder), "--mapping", str(mapping))
    assert code == 0, output
    return Ran(data, folder, paths.warehouse, " ".join(output.split()))


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Iterator[Ran]:
    with restored_env("SALES_MAPPING", "SALES_CONFIG", "SALES_INBOX"):
        os.environ.pop("SALES_MAPPING", None)
        os.environ.pop("SALES_CONFIG", None)
        yield run_as_a_user(tmp_path_factory.mktemp("maven_crm"), MAPPING)


def won(data: MavenCrm) -> list[dict[str, str]]:
    return [deal for deal in data.pipeline if deal["deal_stage"] == "Won"]


def test_revenue_deals_and_win_rate_per_month(ran: Ran) -> None:
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    deals_won: Counter[str] = Counter()
    deals_lost: Counter[str] = Counter()
    for deal in ran.data.pipeline:
        month = deal["close_date"][:7]
        if deal["deal_stage"] == "Won":
            revenue[month] += Decimal(deal["close_value"])
            deals_won[month] += 1
        elif deal["deal_stage"] == "Lost":
            deals_lost[month] += 1
            assert deal["close_value"] == "0"
    stages = Counter(deal["deal_stage"] for deal in ran.data.pipeline)
    assert stages == {"Won": 97, "Lost": 62, "Engaging": 30, "Prospecting": 11}
    total = sum(revenue.values())
    assert total == Decimal("402273")
    months = sorted(set(deals_won) | set(deals_lost))
    assert months[0] == "2016-10" and months[-1] == "2017-12"

    with duckdb.connect(str(ran.warehouse), read_only=True) as con:
        rows = con.execute(
            "select strftime(period_start, '%Y-%m'), revenue, deals_won, deals_lost, win_rate "
            "from marts.sales_by_period where grain = 'month' and deals_won + deals_lost > 0 order by 1"
        ).fetchall()
        assert [r[0] for r in rows] == months
        for month, mart_revenue, mart_won, mart_lost, win_rate in rows:
            assert mart_revenue == revenue[month], month  # exact, so to the cent
            assert (mart_won, mart_lost) == (deals_won[month], deals_lost[month]), month
            assert win_rate == deals_won[month] / (deals_won[month] + deals_lost[month]), month
        assert dict((m, r.quantize(CENT)) for m, r, *_ in rows)["2017-12"] == Decimal("43034.00")
        whole = con.execute(
            "select sum(revenue), sum(deals_won), sum(deals_lost) from marts.sales_by_period where grain = 'year'"
        ).fetchone()
        assert whole == (total, 97, 62)
        # every deal landed: open ones too (Prospecting without account, engage date or amount), none quarantined
        facts = dict(
            (status, counts)
            for status, *counts in con.execute(
                "select status, count(*), count(created_date), count(account_id), count(amount), count(close_date) "
                "from marts.fct_opportunities group by status"
            ).fetchall()
        )
        open_without_account = sum(1 for d in ran.data.pipeline if d["deal_stage"] == "Engaging" and not d["account"])
        assert facts == {
            "won": [97, 97, 97, 97, 97],
            "lost": [62, 62, 62, 62, 62],
            "open": [41, 30, 30 - open_without_account, 0, 0],
        }
        quarantined = con.execute(
            "select count(*) from (select * from quarantine.canonical__opportunities union all "
            "select * from quarantine.canonical__opportunity_lines)"
        ).fetchone()[0]
        assert quarantined == 0
    # the summary of the last closed month is December 2017, its revenue the month's
    assert "December 2017 (last closed month): company scorecard" in ran.output
    december = re.escape(f"{revenue['2017-12']:,.2f}")
    assert re.search(rf"Revenue\W+{december}\W", ran.output), ran.output
    assert "No rows quarantined." in ran.output
    assert "Products not in the catalogue" not in ran.output  # the mapping keys products so GTXPro meets GTX Pro


def test_rep_performance_per_rep_with_manager_and_regional_office(ran: Ran) -> None:
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for deal in ran.data.pipeline:
        if deal["deal_stage"] == "Won":
            revenue[deal["sales_agent"]] += Decimal(deal["close_value"])
        counts[deal["sales_agent"]][deal["deal_stage"]] += 1
    team = {row["sales_agent"]: (row["manager"], row["regional_office"]) for row in ran.data.teams}
    office_revenue: dict[str, Decimal] = defaultdict(Decimal)
    for agent, amount in revenue.items():
        office_revenue[team[agent][1]] += amount
    with duckdb.connect(str(ran.warehouse), read_only=True) as con:
        reps = {
            rep_id: rest
            for rep_id, *rest in con.execute(
                "select rep_id, rep_name, manager_name, team, region, sum(revenue), sum(deals_won), sum(deals_lost) "
                "from marts.rep_performance where grain = 'year' group by all"
            ).fetchall()
        }
        assert reps == {
            agent: [agent, manager, manager, office, revenue[agent], counts[agent]["Won"], counts[agent]["Lost"]]
            for agent, (manager, office) in team.items()
        }
        assert reps["Milo Hartigan"][4] == Decimal("94362")
        # win rate per rep and year, by count
        for rep_id, year, win_rate, deals_won, deals_lost in con.execute(
            "select rep_id, year(period_start), win_rate, deals_won, deals_lost from marts.rep_performance "
            "where grain = 'year' and deals_won + deals_lost > 0"
        ).fetchall():
            closed = [d for d in ran.data.pipeline if d["sales_agent"] == rep_id and d["close_date"][:4] == str(year)]
            expected_won = sum(1 for d in closed if d["deal_stage"] == "Won")
            assert (deals_won, deals_lost) == (expected_won, len(closed) - expected_won)
            assert win_rate == expected_won / len(closed)
        # a deal's region is its rep's regional office (accounts have none)
        regions = dict(
            con.execute(
                "select region, sum(revenue) from marts.region_performance where grain = 'year' group by region"
            ).fetchall()
        )
        assert regions == dict(office_revenue)


def product_revenue(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """product_performance per product over its years: [name, family, revenue]."""
    return {
        product_id: rest
        for product_id, *rest in con.execute(
            "select product_id, product_name, product_family, sum(revenue) from marts.product_performance "
            "where grain = 'year' group by all"
        ).fetchall()
    }


def test_products_by_name_and_gtx_pro_spelt_two_ways(ran: Ran) -> None:
    """products.csv says "GTX Pro", the deals "GTXPro": the mapping keys both by the name without spaces, so the
    product's revenue is the GTXPro deals', under the catalogue's name and series."""
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for deal in won(ran.data):
        revenue[deal["product"].replace(" ", "")] += Decimal(deal["close_value"])
    assert revenue["GTXPro"] == Decimal("71134")
    with duckdb.connect(str(ran.warehouse), read_only=True) as con:
        products = product_revenue(con)
        inferred = con.execute("select list(product_id) from marts.dim_products where is_inferred").fetchone()[0]
    assert inferred == ["unknown"]
    series = {p["product"].replace(" ", ""): (p["product"], p["series"]) for p in ran.data.products}
    assert products == {
        **{key: [name, family, revenue[key]] for key, (name, family) in series.items()},
        "unknown": ["unknown", "unknown", Decimal(0)],
    }
    assert products["GTXPro"] == ["GTX Pro", "GTX", Decimal("71134")]


def test_the_data_dictionary_is_ignored_with_its_reason(ran: Ran) -> None:
    code, output = invoke("validate", "--mapping", str(MAPPING), str(ran.folder))
    said = " ".join(output.split())
    assert code == 0, output
    assert (
        f"– ignored {ran.folder / 'data_dictionary.csv'}: it matches no file pattern of {MAPPING} (patterns relative "
        f"to {ran.folder})"
    ) in said
    for name, rows in (("sales_pipeline.csv", 200), ("accounts.csv", 24), ("products.csv", 7), ("sales_teams.csv", 10)):
        assert f"✓ accepted {ran.folder / name} (" in said and f"): {rows} rows, 0 would be quarantined" in said


def test_a_product_the_catalogue_lacks_keeps_its_revenue_and_the_run_says_so(
    tmp_path: Path, isolated_env: None
) -> None:
    """Keyed as written (product_id: product in both files), the GTXPro deals name a product products.csv does not
    have: their revenue counts under product GTXPro without name or series, "GTX Pro" stays at zero, and the run
    summary says which id, how much, and which product of the catalogue it resembles."""
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    mapping["entities"]["opportunity_lines"]["columns"]["product_id"] = "product"
    mapping["entities"]["products"]["columns"]["product_id"] = "product"
    written = tmp_path / "as_written.yml"
    written.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    with restored_env("SALES_MAPPING", "SALES_CONFIG", "SALES_INBOX"):
        os.environ.pop("SALES_MAPPING", None)
        os.environ.pop("SALES_CONFIG", None)
        ran = run_as_a_user(tmp_path / "workspace", written)
    deals = [d for d in won(ran.data) if d["product"] == "GTXPro"]
    lines = sum(1 for d in ran.data.pipeline if d["product"] == "GTXPro")
    assert (len(deals), lines) == (15, 32)
    assert (
        f"Products not in the catalogue: 1 product id on deal lines is not in the products file: 'GTXPro' ({lines} "
        f"lines, {len(deals)} won deals, revenue 71,134.00; the products file has 'GTX Pro'). Its revenue still "
        "counts, in product_performance under the id as written, but with no name or family: give the lines and the "
        "products the same ids (in a mapping, the same expression for both product_id columns)."
    ) in ran.output
    with duckdb.connect(str(ran.warehouse), read_only=True) as con:
        products = product_revenue(con)
        total = con.execute("select sum(revenue) from marts.sales_by_period where grain = 'year'").fetchone()[0]
    assert products["GTXPro"] == [None, None, sum(Decimal(d["close_value"]) for d in deals)]
    assert products["GTX Pro"] == ["GTX Pro", "GTX", Decimal(0)]
    assert sum(row[2] for row in products.values()) == total == Decimal("402273")  # nothing lost


def test_a_run_that_reads_no_file_says_which_were_ignored_and_why(tmp_path: Path, isolated_env: None) -> None:
    """The files in a sub-folder of the inbox, the example mapping (outside the inbox, so anchored at the inbox
    root) given with --inbox at the root: no pattern reads them. The run said "add exports to the inbox", which
    they are in; it now says that every file was ignored, why, and the two fixes, and the rerun says there was no
    file to load (not "all 0 files already loaded")."""
    folder = tmp_path / "inbox" / "maven"
    write_maven_crm(folder, maven_crm())
    paths = export_root(tmp_path)
    with restored_env("SALES_MAPPING", "SALES_CONFIG", "SALES_INBOX"):
        os.environ.pop("SALES_MAPPING", None)
        os.environ.pop("SALES_CONFIG", None)
        first = invoke("run", "--inbox", str(paths.inbox), "--mapping", str(MAPPING))
        again = invoke("run", "--inbox", str(paths.inbox), "--mapping", str(MAPPING))
    said = (
        f"The marts hold no closed month: no file of the inbox {paths.inbox} was read: all 5 readable files are "
        f"ignored, e.g. {folder / 'accounts.csv'}: its name matches pattern 'accounts.csv' (file key 'accounts') of "
        f"{MAPPING}, but patterns are relative to {paths.inbox} and this file is 'maven/accounts.csv', in a "
        "sub-folder. To read it, write the pattern as 'maven/accounts.csv'; if it is a stray copy, nothing is needed. "
        f"Or point the run at the export's folder: `salesmetrics run --inbox {folder} --mapping {MAPPING}`. "
        f"`salesmetrics validate --mapping {MAPPING} {paths.inbox}` lists every file and why."
    )
    for code, output in (first, again):
        assert code == 0, output
        assert said in " ".join(output.split()), output
        assert "add exports to the inbox" not in output
    assert re.search(r"Done in \d+\.\d s, no file to load\.", again[1]), again[1]
