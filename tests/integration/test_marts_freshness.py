"""The marts' freshness check: it warns when an export was accepted after the last successful dbt build."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform.freshness import marts_include_newest_export
from pipelines.lib.warehouse import INGEST_LOG, TRANSFORM_LOG, ensure_logs


def evaluate(database: Path) -> dg.AssetCheckResult:
    return marts_include_newest_export(warehouse=WarehouseResource(database=str(database)))


def log(database: Path, *, accepted: list[datetime], built: list[datetime]) -> None:
    with duckdb.connect(str(database)) as con:
        ensure_logs(con)
        for when in accepted:
            con.execute(
                f"insert into {INGEST_LOG} (object, source_file, loaded_at, status) values (?, ?, ?, 'accepted')",
                ["Opportunity", f"Opportunity-{when:%d}.csv", when],
            )
        for when in built:
            con.execute(f"insert into {TRANSFORM_LOG} values (?, 'run')", [when])


def test_marts_built_after_the_newest_export_are_fresh(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    assert evaluate(database).passed  # nothing loaded yet: nothing to be behind
    log(database, accepted=[datetime(2026, 6, 1, 8)], built=[datetime(2026, 6, 1, 9)])
    result = evaluate(database)
    assert result.passed and result.metadata["marts_built_at"].value == "2026-06-01 09:00:00"


def test_an_export_accepted_after_the_build_is_a_warning(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    log(database, accepted=[datetime(2026, 6, 1, 8), datetime(2026, 6, 8, 8)], built=[datetime(2026, 6, 1, 9)])
    result = evaluate(database)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.description == (
        "The marts (built 2026-06-01 09:00:00) are older than the newest accepted export (loaded 2026-06-08 "
        "08:00:00): run refresh_warehouse_job (`salesmetrics run`)."
    )
    database2 = tmp_path / "never.duckdb"
    log(database2, accepted=[datetime(2026, 6, 1, 8)], built=[])
    assert "built never" in evaluate(database2).description


def test_ingest_only_runs_evaluate_it_after_every_ingest_asset_and_its_audit() -> None:
    from pipelines.definitions import defs

    job = defs.resolve_job_def("ingest_exports_job")
    check = "marts__kpi_scorecard_includes_newest_accepted_export"
    upstream = {dep.node.name for dep in job.graph.dependency_structure.all_upstream_outputs_from_node(check)}
    assert upstream == set(job.graph.node_dict) - {check}
    assert (
        len([name for name in upstream if name.endswith("__passes_audit")]) == 26
    )  # 22 objects + CurrencyType, DatedConversionRate, rates, reps history
