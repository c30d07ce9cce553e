"""Issue 11, item 3 through the real run: a damaged copy of an export in a sub-folder of the inbox is never read
as a newer export of the same file; two files for one file key stop the run, naming both and the fix."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app

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
    saved = {k: os.environ.get(k) for k in ("SALES_MAPPING", "SALES_CONFIG")}
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


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


def test_a_copy_in_a_sub_folder_is_not_read(tmp_path: Path, shop_env: None) -> None:
    _, good, _ = shop_inbox(tmp_path, "orders.csv")
    result = invoke_run(tmp_path)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        files = con.execute("select distinct _source_file from raw.canonical__opportunities").fetchall()
        total = con.execute("select sum(amount) from marts.fct_opportunities").fetchone()[0]
    assert files == [(str(good),)]
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
