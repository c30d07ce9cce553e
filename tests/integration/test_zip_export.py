"""The weekly Salesforce Data Export as one .zip: unpacked beside itself and loaded like the folder."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.sample import generate
from tests.integration.conftest import SAMPLE_END, export_root


def test_a_zipped_data_export_gives_the_same_revenue(tmp_path: Path, isolated_env: None) -> None:
    export = tmp_path / "export"
    generate(export, scale=300, seed=3, end_date=SAMPLE_END)
    inbox = tmp_path / "inbox" / "salesforce"
    inbox.mkdir(parents=True)
    with zipfile.ZipFile(inbox / "WE_00D5g000004abcd_1.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for csv in sorted(export.glob("*.csv")):
            zf.write(csv, csv.name)
    paths = export_root(tmp_path)
    refresh_warehouse()
    with duckdb.connect() as con:
        expected = con.execute(
            'select sum(cast("Amount" as decimal(18, 2))) from read_csv(?, all_varchar = true) '
            "where lower(\"IsWon\") = 'true'",
            [str(export / "Opportunity.csv")],
        ).fetchone()[0]
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        revenue = con.execute("select sum(revenue) from marts.sales_by_period where grain = 'year'").fetchone()[0]
        sources = con.execute("select distinct _source_file from raw.salesforce__opportunity").fetchall()
    assert revenue == expected and expected > Decimal(0)
    assert [s[0] for s in sources] == [str(inbox / "WE_00D5g000004abcd_1.unzipped" / "Opportunity.csv")]
