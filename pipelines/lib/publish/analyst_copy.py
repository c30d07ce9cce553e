"""The analysts' read-only copy of the marts and snapshots (data/analytics.duckdb), replaced atomically.

(Not data/marts.duckdb: DuckDB names the catalog after the file, and a catalog ``marts`` would make
``marts.sales_by_period`` ambiguous.)

Analysts never open the pipeline's warehouse, so a DuckDB CLI left open cannot block a run. The copy is
written beside the target under a temporary name and renamed over it: a session that has the old file
open keeps reading the old, complete file; a new session sees the new one; nobody sees a half-written table.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

SCHEMAS = ("marts", "snapshots")


def analyst_copy_path(warehouse: Path) -> Path:
    return Path(os.environ.get("SALES_ANALYST_COPY") or warehouse.with_name("analytics.duckdb"))


def copy_is_older_than(target: Path, built: datetime) -> bool:
    """Whether the copy is missing or was written before ``built`` (naive UTC): a run killed after its marts were
    swapped in, before the copy was refreshed, leaves it so; the next run, finding nothing new, refreshes it."""
    if not target.exists():
        return True
    return datetime.fromtimestamp(target.stat().st_mtime, UTC).replace(tzinfo=None) < built


def refresh_analyst_copy(con: duckdb.DuckDBPyConnection, target: Path) -> dict[str, int]:
    """Copy every table and view of the marts and snapshots schemas; return rows per table.

    The marts are written whole. The snapshots grow with every publication and never change: once they are a fair
    share of the copy, the current copy's are kept from a file copy of it (~1 GB/s, against ~40 MB/s to write
    compressed tables), and only the versions it lacks are written (a copy that cannot be read that way, e.g. one
    written by another DuckDB, is written whole)."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    copied = None
    if target.exists() and _snapshots_share(con) >= KEEP_SNAPSHOTS_SHARE:
        _copy_to_disk(target, partial)
        try:
            copied = _copy_schemas(con, partial, ("marts",))
            copied |= _copy_schemas(con, partial, ("snapshots",), keep_versions=True)
        except duckdb.Error:
            partial.unlink(missing_ok=True)
            copied = None
    if copied is None:
        copied = _copy_schemas(con, partial, SCHEMAS)
    partial.replace(target)
    return copied


# The snapshots' share of the copy's rows from which a build keeps them from a file copy of the copy: below it,
# copying the whole file (mostly marts, dropped again) costs more than writing the snapshots anew.
KEEP_SNAPSHOTS_SHARE = 0.05


def _snapshots_share(con: duckdb.DuckDBPyConnection) -> float:
    rows = dict(
        con.execute(
            "select schema_name, sum(estimated_size) from duckdb_tables() where database_name = current_database() "
            "and schema_name in ('marts', 'snapshots') group by 1"
        ).fetchall()
    )
    return (rows.get("snapshots") or 0) / max(sum(v or 0 for v in rows.values()), 1)


Finish = Callable[[duckdb.DuckDBPyConnection], dict[str, int]]


@contextmanager
def snapshots_refresh(target: Path, built: datetime | None) -> Iterator[Finish]:
    """The analysts' copy after a publication, where only the snapshots changed: when the copy already holds the
    last build's marts (written after ``built``, naive UTC), a file copy of it gets the new snapshots, and its marts
    are not written again (seconds at a million deals); else the whole copy is written.

    In two halves: on entry the file copy starts in a thread (disk work: the copy and its flush, a few hundred MB at
    a million deals), which overlaps the publication's queries and files; the function yielded, called once the
    snapshots are written, waits for it, writes the snapshots into it, renames it over the copy and returns rows
    per table written. Leaving without calling it removes the scratch file."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    if built is None or copy_is_older_than(target, built):
        yield lambda con: refresh_analyst_copy(con, target)
        return

    def finish(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        copying.result()
        copied = _copy_schemas(con, partial, ("snapshots",), keep_versions=True)
        partial.replace(target)
        return copied

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyst-copy") as pool:
        copying = pool.submit(_copy_to_disk, target, partial)
        try:
            yield finish
        finally:
            wait([copying])
            partial.unlink(missing_ok=True)  # renamed into place when finished; else the scratch of a refusal


def _copy_to_disk(source: Path, copy: Path) -> None:
    """Copy ``source`` and flush it to disk, as the checkpoint that writes the snapshots into it would."""
    shutil.copyfile(source, copy)
    with copy.open("rb+") as handle:
        os.fdatasync(handle.fileno())


def _copy_schemas(
    con: duckdb.DuckDBPyConnection, partial: Path, schemas: tuple[str, ...], keep_versions: bool = False
) -> dict[str, int]:
    """``schemas`` written into the DuckDB file ``partial`` (what it held of them before is replaced); rows each
    table holds there.

    ``keep_versions``: the snapshot tables are append-only (a version's rows are written by one transaction, never
    changed or deleted), so a table ``partial`` already holds with the same columns only gets the versions it lacks,
    instead of every version ever published written again at each publication."""
    con.execute(f"attach '{partial}' as analyst_copy")
    copied: dict[str, int] = {}
    try:
        objects = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            f"where table_catalog = current_database() and table_schema in ({', '.join('?' for _ in schemas)}) "
            "and table_name not like '\\_%' escape '\\' order by table_type, table_schema, table_name",
            list(schemas),
        ).fetchall()
        kept = _appendable(con, objects) if keep_versions else {}
        for schema in schemas:
            if kept:
                _drop_all_but(con, schema, kept)
            else:
                con.execute(f"drop schema if exists analyst_copy.{schema} cascade")
        # the dropped blocks free for what is written next: the file keeps its size
        con.execute("checkpoint analyst_copy")
        for schema in {o[0] for o in objects}:
            con.execute(f"create schema if not exists analyst_copy.{schema}")
        for schema, name, kind in objects:
            if (schema, name) in kept:
                copied[f"{schema}.{name}"] = _append_versions(con, schema, name, kept[(schema, name)])
                continue
            if kind == "VIEW" and schema == "snapshots":
                # Snapshot views are over their *_versions tables, copied as tables just before.
                sql = con.execute(
                    "select sql from duckdb_views() "
                    "where schema_name = ? and view_name = ? and database_name = current_database()",
                    [schema, name],
                ).fetchone()[0]
                con.execute("use analyst_copy")
                try:
                    con.execute(sql)
                finally:
                    con.execute(f"use {_main_catalog(con)}")
                continue
            con.execute(f'create table analyst_copy.{schema}."{name}" as select * from {schema}."{name}"')
            copied[f"{schema}.{name}"] = con.execute(f'select count(*) from {schema}."{name}"').fetchone()[0]
    finally:
        con.execute("detach analyst_copy")
    return copied


def _main_catalog(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute(
        "select database_name from duckdb_databases() where not internal and database_name <> 'analyst_copy' "
        "order by database_oid limit 1"
    ).fetchone()[0]


# What tells one snapshot version's rows from another's: a table without a version column is not a table of versions
VERSION_KEY = ("grain", "period", "version")


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schemas: set[str]) -> dict[tuple[str, str], list]:
    """Each table's (column, type) list, in order, of ``schemas`` in ``catalog``: one catalogue query."""
    columns: dict[tuple[str, str], list] = {}
    for schema, name, column, kind in con.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns() "
        f"where database_name = ? and schema_name in ({', '.join('?' for _ in schemas)}) "
        "order by schema_name, table_name, column_index",
        [catalog, *schemas],
    ).fetchall():
        columns.setdefault((schema, name), []).append((column, kind))
    return columns


def _appendable(con: duckdb.DuckDBPyConnection, objects: list[tuple[str, str, str]]) -> dict[tuple[str, str], list]:
    """The base tables the copy holds with the same columns, in order, and a version key: each with that key."""
    schemas = {schema for schema, _, _ in objects}
    if not schemas:
        return {}
    ours, theirs = _columns(con, _main_catalog(con), schemas), _columns(con, "analyst_copy", schemas)
    kept = {}
    for schema, name, kind in objects:
        columns = ours.get((schema, name), [])
        names = {n for n, _ in columns}
        key = [c for c in VERSION_KEY if c in names] if "version" in names else []
        if kind == "BASE TABLE" and key and theirs.get((schema, name)) == columns:
            kept[(schema, name)] = key
    return kept


def _drop_all_but(con: duckdb.DuckDBPyConnection, schema: str, kept: dict[tuple[str, str], list]) -> None:
    """Every view of ``schema`` in the copy, and every table but the kept ones, dropped."""
    for name, kind in con.execute(
        "select table_name, table_type from information_schema.tables where table_catalog = 'analyst_copy' "
        "and table_schema = ? order by table_type desc",  # views first: they may read the tables
        [schema],
    ).fetchall():
        if (schema, name) not in kept:
            con.execute(f'drop {"view" if kind == "VIEW" else "table"} analyst_copy.{schema}."{name}"')


def _append_versions(con: duckdb.DuckDBPyConnection, schema: str, name: str, key: list[str]) -> int:
    """The versions of ``schema.name`` the copy lacks, appended; the whole table written again should the copy
    then not hold as many rows (a copy that went astray: it is never left short). Rows it holds."""
    source, copy = f'{schema}."{name}"', f'analyst_copy.{schema}."{name}"'
    on = " and ".join(f'c."{k}" is not distinct from w."{k}"' for k in key)
    have = f"select 1 from {copy} as c where {on}"
    con.execute(f"insert into {copy} select * from {source} as w where not exists ({have})")
    rows = con.execute(f"select count(*) from {source}").fetchone()[0]
    if con.execute(f"select count(*) from {copy}").fetchone()[0] != rows:
        con.execute(f"create or replace table {copy} as select * from {source}")
    return rows
