"""Running twice changes nothing; a newer export of the same records wins in staging, raw keeps both."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.settings import DBT_PROJECT_DIR
from tests.integration.conftest import SAMPLE_END, Built, copy_of_built


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Built:
    """A copy of the session's sample (4,000 deals, built once for the suite): one file copy instead of a run."""
    return copy_of_built(built, tmp_path_factory.mktemp("reruns"))


def counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select raw_table, sum(rows) from raw._ingest_log group by 1").fetchall())


def test_second_run_loads_nothing_and_keeps_marts(small: Built) -> None:
    before = counts(small.warehouse)
    with duckdb.connect(str(small.warehouse), read_only=True) as con:
        revenue_before = con.execute("select sum(revenue) from marts.sales_by_period where grain = 'month'").fetchone()
    refresh_warehouse()
    assert counts(small.warehouse) == before
    with duckdb.connect(str(small.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw._ingest_log").fetchone()[0] == len(before)
        revenue_after = con.execute("select sum(revenue) from marts.sales_by_period where grain = 'month'").fetchone()
    assert revenue_after == revenue_before


def test_newer_export_supersedes_in_staging(small: Built) -> None:
    source = small.export_dir / "Opportunity.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    changed = next(r for r in rows if r["IsClosed"] == "false" and r["Amount"])
    changed.update(
        StageName="Closed Won",
        IsClosed="true",
        IsWon="true",
        Amount="98765.43",
        CloseDate=SAMPLE_END.isoformat(),
        Probability="100",
    )
    later = small.inbox / "salesforce" / "2026-07-01"
    later.mkdir(parents=True)
    with (later / "Opportunity.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)  # the full export again, with that one deal now won

    result = refresh_warehouse()
    # dbt's log of the build, at info: each node's result, not every statement's SQL (debug: ~10x larger, slower)
    (target,) = (DBT_PROJECT_DIR / "target").glob(f"sales_dbt_models-{result.run_id[:8]}-*")
    events = [json.loads(line)["info"] for line in (target / "dbt.log").read_text().splitlines()]
    assert {e["level"] for e in events} <= {"info", "warn"}
    assert sum(e["name"] == "LogModelResult" for e in events) > 50

    with duckdb.connect(str(small.warehouse), read_only=True) as con:
        raw_versions = con.execute(
            'select count(*) from raw.salesforce__opportunity where "Id" = ?', [changed["Id"]]
        ).fetchone()[0]
        staged = con.execute(
            "select status, amount, count(*) over () from staging.stg_salesforce__opportunities "
            "where opportunity_id = ?",
            [changed["Id"]],
        ).fetchall()
        total_staged = con.execute("select count(*) from staging.stg_salesforce__opportunities").fetchone()[0]
    assert raw_versions == 2
    assert staged == [("won", Decimal("98765.43"), 1)]
    assert total_staged == len(rows)
