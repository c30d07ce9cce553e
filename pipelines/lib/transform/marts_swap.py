"""Write-audit-publish of the marts: a build replaces every table of ``marts`` at once, or none.

dbt builds and tests each model and seed of the ``marts`` schema under a prefixed name beside the live table
(``marts._build__sales_by_period``; the prefix reaches dbt's ``generate_alias_name`` through
``SALES_MARTS_BUILD_PREFIX``). Only when the whole build and every data test passed, one DuckDB transaction drops
each live table and renames its build over it (with the transform log's row and the build fingerprint, so a
build is recorded exactly when its marts are live). A kill or a failure before the commit leaves the previous
build whole; a kill inside it leaves DuckDB's last committed state, the previous build.

Why renames: DuckDB 1.5.6 moves no table across schemas (``alter table … set schema`` and ``alter schema …
rename`` are not implemented), so a build schema would need its tables copied at the swap (``create or replace
table marts.t as from marts_build.t``): 7.5–9.5 s and a second copy of the marts on disk at 100k opportunities,
against 0.01 s for drop + rename within ``marts`` (docs/crash-safety.md).

Build tables start with ``_`` like the other internal tables: the analysts' copy leaves them out, and what a
kill leaves is dropped before the next build.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

BUILD_PREFIX = "_build__"
PREFIX_ENV = "SALES_MARTS_BUILD_PREFIX"
SCHEMA = "marts"


@contextmanager
def build_names() -> Iterator[None]:
    """dbt started inside the block builds the marts under the build's names. Only inside it: the variable would
    otherwise stay in the process (``salesmetrics run`` runs in-process) and a later dbt parse in it, MetricFlow's
    included, would point the semantic layer at the build's tables."""
    previous = os.environ.get(PREFIX_ENV)
    os.environ[PREFIX_ENV] = BUILD_PREFIX
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(PREFIX_ENV, None)
        else:
            os.environ[PREFIX_ENV] = previous


def _objects(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """Names of the build's tables or views (``kind``: table | view) in ``marts``, prefix included."""
    source = "duckdb_tables()" if kind == "table" else "duckdb_views()"
    name = "table_name" if kind == "table" else "view_name"
    return [
        r[0]
        for r in con.execute(
            f"select {name} from {source} where database_name = current_database() and schema_name = ? "
            f"and starts_with({name}, ?) order by 1",
            [SCHEMA, BUILD_PREFIX],
        ).fetchall()
    ]


def live_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables readers see: every table of ``marts`` but the build's."""
    return [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() and schema_name = ? "
            "and not starts_with(table_name, ?) order by 1",
            [SCHEMA, BUILD_PREFIX],
        ).fetchall()
    ]


def drop_unfinished(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop what a failed or killed build left in ``marts`` (its tables, dbt's temporary ones, the stand-ins);
    return their names. The live tables are untouched."""
    dropped = []
    for kind in ("view", "table"):
        for name in _objects(con, kind):
            con.execute(f'drop {kind} if exists {SCHEMA}."{name}"')
            dropped.append(name)
    return dropped


def stand_in_for_unselected(con: duckdb.DuckDBPyConnection, selected: set[str]) -> list[str]:
    """For a build of some marts only: a view under the build's name over each live mart not selected, so a
    selected model that reads it (a ref resolves to the build's name) reads the live table. Return them."""
    made = []
    for name in live_marts(con):
        if name not in selected:
            con.execute(f'create or replace view {SCHEMA}."{BUILD_PREFIX}{name}" as from {SCHEMA}."{name}"')
            made.append(name)
    return made


def swap_in(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Replace each live mart by its build: call inside the transaction that records the build. Return the
    marts replaced (or created). The stand-in views are dropped, never swapped."""
    for view in _objects(con, "view"):
        con.execute(f'drop view {SCHEMA}."{view}"')
    swapped = []
    for built in _objects(con, "table"):
        name = built.removeprefix(BUILD_PREFIX)
        if name.endswith(("__dbt_tmp", "__dbt_backup")):  # dbt's own scratch, never part of a finished build
            con.execute(f'drop table {SCHEMA}."{built}"')
            continue
        con.execute(f'drop table if exists {SCHEMA}."{name}"')
        con.execute(f'alter table {SCHEMA}."{built}" rename to "{name}"')
        swapped.append(name)
    return swapped
