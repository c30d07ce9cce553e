"""Every DuckDB connection of a run carries salesmetrics.yml's memory_limit and temp_directory: the warehouse
resource (ingest, audit), the audit's own connections, Great Expectations' (duckdb-engine) and dbt's profile."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import great_expectations as gx
import pytest
from sqlalchemy import text

from pipelines.defs.resources import build_resources
from pipelines.lib.audit.gx_duckdb import add_warehouse
from pipelines.lib.duckdb_settings import MAX_DEFAULT_MIB, connect, dbt_environment, duckdb_settings
from pipelines.lib.settings import DBT_PROJECT_DIR, PROJECT_ROOT

BIN = Path(sys.executable).parent
SHOW = "select current_setting('memory_limit') as m, current_setting('temp_directory') as t"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A salesmetrics.yml with memory_limit 1GiB and a relative temp_directory; what DuckDB reports for them."""
    config = tmp_path / "salesmetrics.yml"
    config.write_text("duckdb:\n  memory_limit: 1GiB\n  temp_directory: spill\n")
    monkeypatch.setenv("SALES_CONFIG", str(config))
    return "1.0 GiB", str(tmp_path / "spill")


def reported(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    return con.execute(SHOW).fetchone()


def test_defaults_half_the_memory_at_most_8_gib_and_spill_beside_the_warehouse(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SALES_CONFIG", str(tmp_path / "absent.yml"))
    default = duckdb_settings()
    assert default.temp_directory is None
    assert int(default.memory_limit.removesuffix("MiB")) <= MAX_DEFAULT_MIB
    with connect(tmp_path / "w.duckdb") as con:
        assert reported(con)[1] == f"{tmp_path / 'w.duckdb'}.tmp"  # DuckDB's own: beside the warehouse
    assert dbt_environment(tmp_path / "w.duckdb")["SALES_DUCKDB_TEMP_DIRECTORY"] == f"{tmp_path / 'w.duckdb'}.tmp"


def test_the_warehouse_resource_and_the_audit_connections_carry_the_settings(settings, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SALES_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    resources = build_resources(duckdb_settings())
    with dg.build_resources({"warehouse": resources["warehouse"]}) as built, built.warehouse.get_connection() as con:
        assert reported(con) == settings
    with connect(tmp_path / "warehouse.duckdb") as con:  # pipelines.lib.audit.verdict, validate
        assert reported(con) == settings


def test_great_expectations_connection_carries_the_settings(settings, tmp_path) -> None:
    duckdb.connect(str(tmp_path / "warehouse.duckdb")).close()
    datasource = add_warehouse(gx.get_context(mode="ephemeral"), str(tmp_path / "warehouse.duckdb"))
    engine = datasource.get_engine()
    try:
        with engine.connect() as con:
            assert tuple(con.execute(text(SHOW)).fetchone()) == settings
    finally:
        engine.dispose()


def test_dbt_connection_carries_the_settings(settings, tmp_path) -> None:
    """What the dbt asset does: dbt_environment into the environment, then dbt on the warehouse."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    warehouse = tmp_path / "warehouse.duckdb"
    env = {**os.environ, "SALES_WAREHOUSE": str(warehouse), "DBT_PROFILES_DIR": str(project)}
    env.update(dbt_environment(warehouse))
    command = [BIN / "dbt", "show", "--inline", SHOW, "--output", "json", "--log-format", "json"]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    shown = next(json.loads(line)["data"]["preview"] for line in done.stdout.splitlines() if '"preview"' in line)
    assert [tuple(row.values()) for row in json.loads(shown)] == [settings]


def test_no_module_of_ingest_or_audit_opens_duckdb_itself() -> None:
    """Every connection there goes through the resource or pipelines.lib.duckdb_settings.connect."""
    found = []
    for path in [
        *(PROJECT_ROOT / "pipelines" / "lib" / "audit").rglob("*.py"),
        *(PROJECT_ROOT / "pipelines" / "lib" / "ingest").rglob("*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "connect" and getattr(node.value, "id", "") == "duckdb":
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert not found
