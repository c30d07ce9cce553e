"""The pipeline's dbt resource runs dbt without building a dbt adapter in the Dagster process first (dagster-dbt's
default, for metadata this project does not fetch; it cost seconds of every run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster_dbt import DbtCliResource

from pipelines.defs.resources import build_resources
from pipelines.defs.transform.project import DBT_EXECUTABLE, SalesDbtCliResource, dbt_project
from pipelines.lib.duckdb_settings import duckdb_settings


def test_dbt_runs_without_an_adapter_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALES_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    plain = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    assert plain.cli(["--version"]).wait().adapter is not None  # dagster-dbt's own builds one
    dbt = build_resources(duckdb_settings())["dbt"]
    assert isinstance(dbt, SalesDbtCliResource)
    invocation = dbt.cli(["--version"]).wait()
    assert invocation.is_successful()
    assert invocation.adapter is None
