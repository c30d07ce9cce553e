"""A quarantined row never makes dbt fail for the rows that refer to it.

A Salesforce Data Export in which one opportunity breaks a row rule (a negative Amount): the audit quarantines it,
its OpportunityHistory and OpportunityLineItem rows are accepted (they are fine on their own), and the run must
succeed with that deal left out everywhere, rather than stop in dbt on a relationships test.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.sample import generate
from pipelines.lib.settings import export_paths, resolve_paths


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> tuple[str, str, Decimal]:
    root = tmp_path_factory.mktemp("quarantined_parent")
    export = root / "inbox" / "salesforce" / "2026-06-30"
    generate(export, scale=300, seed=11, end_date=date(2026, 6, 30))
    history = Counter(row["OpportunityId"] for row in csv.DictReader((export / "OpportunityHistory.csv").open()))
    path = export / "Opportunity.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    # a won deal with the most stage history: the one whose children matter most
    won = [r for r in rows if r["IsWon"].strip().lower() == "true" and r["Amount"].strip()]
    victim = max(won, key=lambda r: history[r["Id"]])
    assert history[victim["Id"]] >= 2
    victim["Amount"] = "-5"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    expected_revenue = sum(
        (Decimal(r["Amount"]) for r in won if r is not victim and r["Id"] != victim["Id"]), Decimal(0)
    )
    paths = resolve_paths(
        inbox=root / "inbox", warehouse=root / "warehouse.duckdb", publish_dir=root / "pub", rejected_dir=root / "rej"
    )
    export_paths(paths)
    refresh_warehouse()  # raises RunFailed when dbt fails
    return str(paths.warehouse), victim["Id"], expected_revenue


def test_the_run_succeeds_and_the_quarantined_deal_is_left_out_everywhere(built: tuple[str, str, Decimal]) -> None:
    warehouse, victim, expected_revenue = built
    with duckdb.connect(warehouse, read_only=True) as con:
        assert con.execute(
            "select rule, offending_value from quarantine.salesforce__opportunity "
            "where json_extract_string(record, '$.Id') = ?",
            [victim],
        ).fetchall() == [("Amount__non_negative", "-5")]
        # its children were accepted into raw, and go no further than the deal they belong to
        assert (
            con.execute(
                "select count(*) from raw.salesforce__opportunity_history where OpportunityId = ?", [victim]
            ).fetchone()[0]
            >= 2
        )
        for model in ("intermediate.int_opportunities_attributed", "intermediate.int_stage_history_resolved"):
            assert con.execute(f"select count(*) from {model} where opportunity_id = ?", [victim]).fetchone()[0] == 0
        [(revenue,)] = con.execute("select sum(revenue) from marts.sales_by_period where grain = 'year'").fetchall()
    assert revenue == expected_revenue
