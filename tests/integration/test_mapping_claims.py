"""Issue 11, item 3 through the real run: a damaged copy of an export in a sub-folder of the inbox is never read
as a newer export of the same file; two files for one file key stop the run, naming both and the fix."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.integration.conftest import restored_env

MAPPING = """\
source: shop
files:
  orders: {pattern: "%s"}
entities:
  opportunities:
    from: orders
    columns: {opportunity_id: id, close_date: day, created_date: day, status: {const: won}, amount: total}
"""


@pytest.fixture
def shop_env(isolated_env: None) -> Iterator[None]:
    with restored_env("SALES_MAPPING", "SALES_CONFIG"):
        yield


def shop_inbox(root: Path, pattern: str) -> tuple[Path, Path, Path]:
    folder = root / "inbox" / "shop"
    (folder / "restore").mkdir(parents=True)
    (folder / "mapping.yml").write_text(MAPPING % pattern, encoding="utf-8")
    good = folder / "orders.csv"
    good.write_text("id,day,total\n" + "".join(f"O{n},2026-01-{n % 28 + 1:02d},{n}.25\n" for n in range(40)))
    # the same export, cut short and with its amounts lost: valid rows, so the audit passes it; it sorts after the
    # good file, so read as an export it would be the newer one and replace 38 of the 40 orders
    damaged = folder / "restore" / "orders.csv"
    damaged.write_text("id,day,total\n" + "".join(f"O{n},2026-01-{n % 28 + 1:02d},0.00\n" for n in range(38)))
    return folder, good, damaged


def invoke_run(root: Path) -> object:
    return CliRunner().invoke(
        app, ["run", "--inbox", str(root / "inbox"), "--warehouse", str(root / "warehouse.duckdb")],
        env={"SALES_REJECTED_DIR": str(root / "rejected"), "SALES_PUBLISH_DIR": str(root / "published"),
             "SALES_MAPPING": "", "DAGSTER_HOME": None},
    )  # fmt: skip


def test_a_copy_in_a_sub_folder_is_not_read(claimed: dict) -> None:
    assert claimed["exit_code"] == 0, claimed["output"]
    folder = f"{claimed['shop']}/%"  # the shop's folder, its sub-folder restore/ included
    with duckdb.connect(str(claimed["warehouse"]), read_only=True) as con:
        files = con.execute(
            "select distinct _source_file from raw.canonical__opportunities where _source_file like ?", [folder]
        ).fetchall()
        total = con.execute(
            "select sum(amount) from marts.fct_opportunities where _source_file like ?", [folder]
        ).fetchone()[0]
    assert files == [(str(claimed["good"]),)]
    assert total == Decimal("790")  # Σ n + 0.25 for n < 40 = 780 + 10


def test_two_files_for_one_key_stop_the_run_naming_both(tmp_path: Path, shop_env: None) -> None:
    folder, good, damaged = shop_inbox(tmp_path, "**/orders.csv")
    result = invoke_run(tmp_path)
    output = result.output.replace("\n", "")
    assert result.exit_code == 1, result.output
    assert "The run stopped at ingest, before transform." in output
    assert f"{folder / 'mapping.yml'}, line 3: 2 files claim file key 'orders'" in output
    assert f"{good} and {damaged}" in output and "Move the file you do not want out of the inbox" in output
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        landed = con.execute(
            "select count(*) from information_schema.tables where table_name = 'canonical__opportunities' "
            "and table_schema = 'raw'"
        ).fetchone()[0]
        rows = con.execute("select count(*) from raw.canonical__opportunities").fetchone()[0] if landed else 0
    assert rows == 0


# ------------------------------------------------- a mapped file whose name looks like a Salesforce object

CRM_MAPPING = """\
source: crm
files:
  deals: {pattern: "opportunities.csv"}
  lines: {pattern: "opportunity_lines.csv"}
entities:
  opportunities:
    from: deals
    columns:
      opportunity_id: Deal ID
      stage: Stage
      status: {column: Stage, map: {Won: won, Lost: lost}, default: open}
      amount: Value
      close_date: Closed
      created_date: Created
  opportunity_lines:
    from: lines
    columns:
      line_id: Line ID
      opportunity_id: Deal ID
      product_id: Product
      quantity: Qty
      unit_price: Unit Price
      total_price: {expr: 'num("Qty") * num("Unit Price")'}
"""
CRM_DEALS = """\
Deal ID,Stage,Value,Closed,Created
D1,Won,1200.50,2026-01-15,2026-01-02
D2,Won,300.25,2026-02-10,2026-01-20
D3,Lost,999.00,2026-02-20,2026-02-01
D4,Proposal,450.00,2026-04-30,2026-03-01
D5,Won,80.00,2026-03-05,2026-02-25
"""
CRM_LINES = """\
Line ID,Deal ID,Product,Qty,Unit Price
L1,D1,P1,2,500.25
L2,D1,P2,1,200.00
L3,D2,P1,1,300.25
L4,D3,P2,3,333.00
L5,D4,P1,1,450.00
L6,D5,P3,4,20.00
"""


def crm_inbox(root: Path) -> Path:
    folder = root / "inbox" / "crm"
    folder.mkdir(parents=True)
    (folder / "mapping.yml").write_text(CRM_MAPPING, encoding="utf-8")
    (folder / "opportunities.csv").write_text(CRM_DEALS, encoding="utf-8")
    (folder / "opportunity_lines.csv").write_text(CRM_LINES, encoding="utf-8")
    (folder / "Opportunity_notes.csv").write_text("Deal ID,Note\nD1,call back\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def claimed(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Iterator[dict]:
    """One run over two mapped folders whose files share no id: shop/ (a good export and a damaged copy of it in
    a sub-folder) and crm/ (files named like Salesforce objects). Each test reads its own folder's rows."""
    root = tmp_path_factory.mktemp("mapping_claims")
    with restored_env("SALES_MAPPING", "SALES_CONFIG"):
        shop, good, _ = shop_inbox(root, "orders.csv")
        crm = crm_inbox(root)
        result = invoke_run(root)
        yield {"root": root, "warehouse": root / "warehouse.duckdb", "exit_code": result.exit_code,
               "output": result.output, "shop": shop, "good": good, "crm": crm}  # fmt: skip


def test_files_named_like_salesforce_objects_are_read_by_the_mapping_that_claims_them(claimed: dict) -> None:
    """opportunity_lines.csv was taken for the Salesforce object Opportunity and refused ("no column Id") although
    the mapping.yml beside it claims it; a look-alike no mapping claims (Opportunity_notes.csv) was refused too."""
    folder, root = claimed["crm"], claimed["root"]
    assert claimed["exit_code"] == 0, claimed["output"]
    assert not (root / "rejected").exists() or not any((root / "rejected").iterdir())
    like = f"{folder}/%"
    with duckdb.connect(str(claimed["warehouse"]), read_only=True) as con:
        deals = con.execute(
            "select count(*), sum(amount::decimal(18, 2)), min(_source_file), max(_source_file) "
            "from raw.canonical__opportunities where _source_file like ?",
            [like],
        ).fetchone()
        lines = con.execute(
            "select count(*), sum(quantity::decimal(18, 2)), sum(total_price::decimal(18, 2)), min(_source_file), "
            "max(_source_file) "
            "from raw.canonical__opportunity_lines",
        ).fetchone()
        salesforce = con.execute("select count(*) from raw.salesforce__opportunity").fetchone()[0]
        won = con.execute(
            "select count(*), sum(amount) from marts.fct_opportunities where status = 'won' and _source_file like ?",
            [like],
        ).fetchone()
    assert deals == (5, Decimal("3029.75"), str(folder / "opportunities.csv"), str(folder / "opportunities.csv"))
    lines_file = str(folder / "opportunity_lines.csv")
    assert lines == (6, Decimal("12"), Decimal("3029.75"), lines_file, lines_file)
    assert salesforce == 0
    assert won == (3, Decimal("1580.75"))
