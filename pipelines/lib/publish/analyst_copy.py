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
    """Copy every table and view of the marts and snapshots schemas; return rows per table."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    copied = _copy_schemas(con, partial, SCHEMAS)
    partial.replace(target)
    return copied


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
        copied = _copy_schemas(con, partial, ("snapshots",))
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


def _copy_schemas(con: duckdb.DuckDBPyConnection, partial: Path, schemas: tuple[str, ...]) -> dict[str, int]:
    """``schemas`` written into the DuckDB file ``partial`` (what it held of them before is replaced)."""
    con.execute(f"attach '{partial}' as analyst_copy")
    copied: dict[str, int] = {}
    try:
        objects = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            f"where table_catalog = current_database() and table_schema in ({', '.join('?' for _ in schemas)}) "
            "and table_name not like '\\_%' escape '\\' order by table_type, table_schema, table_name",
            list(schemas),
        ).fetchall()
        for schema in schemas:
            con.execute(f"drop schema if exists analyst_copy.{schema} cascade")
        for schema in {o[0] for o in objects}:
            con.execute(f"create schema analyst_copy.{schema}")
        for schema, name, kind in objects:
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
