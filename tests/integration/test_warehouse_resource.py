"""The warehouse resource closes its connection when the code using it raises (a refused publication)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import WarehouseResource


def _raise_inside(resource: DuckDBResource, path: Path) -> pytest.ExceptionInfo[RuntimeError]:
    with pytest.raises(RuntimeError) as raised:
        with resource.get_connection() as con:
            con.execute("create or replace table t as select 42 as x")
            raise RuntimeError("refused")
    return raised  # kept alive, as Dagster keeps a failure's traceback


def test_a_plain_connection_works_after_an_error_inside_the_resource(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    kept = _raise_inside(WarehouseResource(database=str(path)), path)
    with duckdb.connect(str(path)) as con:  # the audit's connection: other settings than the resource's
        assert con.execute("select x from t").fetchone()[0] == 42
    assert kept.value.args == ("refused",)


def test_dagster_duckdbs_own_resource_leaks_it(tmp_path: Path) -> None:
    """Why WarehouseResource exists: with DuckDBResource the same sequence is refused by DuckDB."""
    path = tmp_path / "w.duckdb"
    kept = _raise_inside(DuckDBResource(database=str(path)), path)
    with pytest.raises(duckdb.ConnectionException, match="different configuration"):
        duckdb.connect(str(path))
    del kept
