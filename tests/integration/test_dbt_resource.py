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


def test_dbt_runs_without_asking_dbt_its_version_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dagster-dbt started `dbt --version` (a whole dbt start-up, 2-3 s) before each command to learn the version;
    the pipeline's resource reads the version of the dbt-core installed beside it."""
    from importlib import metadata

    import dagster_dbt.core.resource as dagster_dbt_resource

    started: list[list[str]] = []
    real = dagster_dbt_resource.check_output
    monkeypatch.setattr(dagster_dbt_resource, "check_output", lambda args, **kw: started.append(args) or real(args))
    monkeypatch.setenv("SALES_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    dbt = build_resources(duckdb_settings())["dbt"]
    assert str(dbt._cli_version) == metadata.version("dbt-core")
    assert dbt.cli(["--version"]).wait().is_successful()
    assert started == []
    # dagster-dbt's own resource asks (the measure of what is saved)
    assert DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)._cli_version == dbt._cli_version
    assert started == [[DBT_EXECUTABLE, "--version"]]
