"""The marts' swap (pipelines/lib/transform/marts_swap.py) on a small DuckDB database."""

from __future__ import annotations

import os

import duckdb
import pytest

from pipelines.lib.transform.marts_swap import (
    PREFIX_ENV,
    build_names,
    drop_unfinished,
    live_marts,
    stand_in_for_unselected,
    swap_in,
)
from pipelines.lib.warehouse import transaction


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.revenue (amount decimal(18, 2) not null)")
    con.execute("insert into marts.revenue values (100.25)")
    con.execute("create table marts.deals as select 3 as won")
    return con


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f"select * from marts.{table} order by all").fetchall()


def test_a_whole_build_replaces_every_mart_in_one_commit_with_its_constraints(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create table marts._build__revenue (amount decimal(18, 2) not null)")
    con.execute("insert into marts._build__revenue values (7.10), (8.20)")
    con.execute("create table marts._build__deals as select 5 as won")
    con.execute("create table marts._build__new_mart as select 'x' as v")
    con.execute("create table marts._build__deals__dbt_tmp as select 0 as won")  # a dbt scratch table
    with transaction(con):
        assert swap_in(con) == ["deals", "new_mart", "revenue"]
    assert [float(a) for (a,) in _rows(con, "revenue")] == [7.10, 8.20]
    assert _rows(con, "deals") == [(5,)]
    assert _rows(con, "new_mart") == [("x",)]
    assert live_marts(con) == ["deals", "new_mart", "revenue"]
    assert con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0] == 3
    with pytest.raises(duckdb.ConstraintException):  # the build's NOT NULL came with it
        con.execute("insert into marts.revenue values (null)")


def test_a_swap_rolled_back_leaves_the_previous_build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create table marts._build__revenue as select 1.00::decimal(18, 2) as amount")
    con.execute("create table marts._build__deals as select 9 as won")
    with pytest.raises(RuntimeError, match="killed"), transaction(con):
        swap_in(con)
        raise RuntimeError("killed before the commit")
    assert [float(a) for (a,) in _rows(con, "revenue")] == [100.25]
    assert _rows(con, "deals") == [(3,)]
    assert drop_unfinished(con) == ["_build__deals", "_build__revenue"]
    assert live_marts(con) == ["deals", "revenue"]
    assert con.execute("select count(*) from duckdb_tables() where schema_name = 'marts'").fetchone()[0] == 2


def test_a_build_of_some_marts_reads_the_others_live_and_swaps_only_its_own(con: duckdb.DuckDBPyConnection) -> None:
    assert stand_in_for_unselected(con, {"revenue"}) == ["deals"]
    # what dbt does for the selected model, reading the unselected one under its build name
    con.execute("create table marts._build__revenue as select won * 2.00 as amount from marts._build__deals")
    with transaction(con):
        assert swap_in(con) == ["revenue"]
    assert [float(a) for (a,) in _rows(con, "revenue")] == [6.00]
    assert _rows(con, "deals") == [(3,)]
    assert con.execute("select count(*) from duckdb_views() where schema_name = 'marts'").fetchone()[0] == 0


def test_the_build_names_reach_only_the_dbt_started_inside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set for good, the prefix stayed in `salesmetrics run`'s process and MetricFlow's parse in it pointed the
    semantic layer at `_build__` tables that no longer exist after the swap."""
    monkeypatch.delenv(PREFIX_ENV, raising=False)
    with build_names():
        assert os.environ[PREFIX_ENV] == "_build__"
    assert PREFIX_ENV not in os.environ
    monkeypatch.setenv(PREFIX_ENV, "")
    with build_names():
        assert os.environ[PREFIX_ENV] == "_build__"
    assert os.environ[PREFIX_ENV] == ""
