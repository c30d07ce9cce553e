"""What each asset and check page of the UI shows: the metadata of a real run on a small sample.

dbt models: dbt's timing and the row count; the audit check: the quarantine table, the query that
shows this run's quarantined rows, and the first of them; a publication: its page, workbook and manifest as paths.
"""

from __future__ import annotations

import csv
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse, run_job
from pipelines.lib.sample import generate
from pipelines.lib.settings import export_paths, resolve_paths
from tests.integration.conftest import SAMPLE_END


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> tuple[Path, object, object, int]:
    root = tmp_path_factory.mktemp("ui_metadata")
    export_dir = root / "inbox" / "salesforce" / SAMPLE_END.isoformat()
    generate(export_dir, scale=300, seed=5, end_date=SAMPLE_END)
    leads = export_dir / "Lead.csv"
    with leads.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # One row the audit quarantines: an unconverted lead (nothing refers to it) created on no real date.
    index = next(i for i, row in enumerate(rows) if row["IsConverted"] == "false")
    rows[index]["CreatedDate"] = "someday"
    with leads.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    paths = resolve_paths(
        inbox=root / "inbox", warehouse=root / "warehouse.duckdb", publish_dir=root / "published", rejected_dir=root
    )
    export_paths(paths)
    refreshed = refresh_warehouse()
    published = run_job("publish_monthly_snapshot_job", partition_key="2026-06-01")
    return paths.warehouse, refreshed, published, index + 2  # the header is line 1


def materialization(result: dg.ExecuteInProcessResult, key: list[str]) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(key)]
    return event.materialization.metadata


def test_dbt_models_show_timing_table_and_row_count(runs) -> None:
    warehouse, refreshed, _, _ = runs
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = {
            name: con.execute(f"select count(*) from marts.{name}").fetchone()[0]
            for name in ("kpi_scorecard", "sales_by_period")
        }
    for name, rows in counts.items():
        metadata = materialization(refreshed, ["marts", name])
        assert metadata["unique_id"].value == f"model.salesmetrics.{name}"
        assert metadata["dagster/row_count"].value == rows > 0
        assert metadata["Execution Duration"].value > 0


def test_audit_check_shows_the_quarantine_table_and_rows(runs) -> None:
    warehouse, refreshed, _, line = runs
    [evaluation] = [
        e for e in refreshed.get_asset_check_evaluations() if e.check_name == "salesforce__lead__passes_audit"
    ]
    metadata = evaluation.metadata
    assert evaluation.passed
    assert metadata["quarantine_table"].value == "quarantine.salesforce__lead"
    assert metadata["warehouse"].value == str(warehouse)
    records = metadata["quarantined_rows_sample"].value.records
    assert [(r.data["line"], r.data["column"], r.data["value"]) for r in records] == [(line, "CreatedDate", "someday")]
    query = metadata["quarantine_query"].value.split("```sql\n")[1].split(";\n```")[0]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert len(con.execute(query).fetchall()) == metadata["rows_quarantined"].value == len(records)


def test_publication_shows_its_page_and_workbook_as_paths(runs) -> None:
    _, _, published, _ = runs
    metadata = materialization(published, ["snapshots", "kpi_monthly"])
    page, workbook = Path(metadata["dashboard_page"].value), Path(metadata["workbook"].value)
    assert page.name == "index.html" and page.is_file() and page.parent.name == "v1"
    assert workbook.name == "monthly-2026-06-v1.xlsx" and workbook.is_file()
    assert metadata["dashboard_link"].value == page.as_uri()
    assert Path(metadata["manifest"].value).is_file()
    [record] = metadata["publications"].value.records
    assert record.data == {
        "period": "2026-06",
        "version": 1,
        "new": True,
        "rows": metadata["rows_frozen"].value,
        "page": str(page),
        "workbook": str(workbook),
    }
    assert isinstance(metadata["dashboard_page"], dg.PathMetadataValue)
