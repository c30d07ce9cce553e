"""The warehouse's fixed tables: landing, raw, quarantine and the ingest log.

landing.<table>     rows of files waiting for the audit (text, with lineage)
raw.<table>         rows the audit accepted, every export ever accepted (history)
quarantine.<table>  rows the audit refused: file, line, rule, offending value and the whole record
raw._ingest_log     one row per file: checksum, rows, status pending → accepted | rejected, and why
raw._transform_log  one row per successful dbt build: when it finished, which run
raw._file_checksums the checksum of each inbox file as last read, with its size and times (ingest/checksums.py)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb

from pipelines.lib.ingest.salesforce import ExportObject

INGEST_LOG = "raw._ingest_log"
TRANSFORM_LOG = "raw._transform_log"
FILE_CHECKSUMS = "raw._file_checksums"
LINEAGE_DDL = "_source_file varchar, _source_sha256 varchar, _source_line bigint, _loaded_at timestamp"


def quarantine_table(obj: ExportObject) -> str:
    return f'quarantine."{obj.table}"'


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The statements of the block commit together, or not at all: any exception rolls them back and goes on."""
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


@contextmanager
def uncompressed(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Rows the block writes are stored without compression: landing's rows live only until the audit moves
    them to raw, and choosing and applying a compression took about half the CPU of landing a file (a 3.8M-row
    OpportunityHistory export: 8.7 CPU s compressed, 4.5 uncompressed).

    DuckDB's ``force_compression`` is global (every connection of the database instance): it is set back when
    the block ends, before the commit's checkpoint, and through a second cursor, which also works after a
    failed statement has aborted the block's transaction.
    """
    con.execute("set force_compression = 'uncompressed'")
    try:
        yield con
    finally:
        with con.cursor() as other:
            other.execute("reset force_compression")


def ensure_logs(con: duckdb.DuckDBPyConnection) -> None:
    """The ingest and transform logs, which ingest, transform and publication all read or write."""
    con.execute("create schema if not exists raw")
    con.execute(
        f"""create table if not exists {INGEST_LOG} (
            object varchar, raw_table varchar, source_file varchar, sha256 varchar, rows bigint,
            malformed_rows bigint, loaded_at timestamp, status varchar, reason varchar
        )"""
    )
    con.execute(f"create table if not exists {TRANSFORM_LOG} (finished_at timestamp, run_id varchar)")
    con.execute(
        f"create table if not exists {FILE_CHECKSUMS} (path varchar, size bigint, mtime_ns bigint, ctime_ns bigint, "
        "inode bigint, sha256 varchar)"
    )


def newest_export_and_build(con: duckdb.DuckDBPyConnection) -> tuple[datetime | None, datetime | None]:
    """When the newest accepted export was loaded, and when dbt last built successfully."""
    ensure_logs(con)
    return con.execute(
        f"select (select max(loaded_at) from {INGEST_LOG} where status = 'accepted'), "
        f"(select max(finished_at) from {TRANSFORM_LOG})"
    ).fetchone()


def ensure_tables(con: duckdb.DuckDBPyConnection, obj: ExportObject) -> None:
    """Create the schemas and this object's tables if missing (with the object's standard columns)."""
    for schema in ("landing", "raw", "quarantine"):
        con.execute(f"create schema if not exists {schema}")
    ensure_logs(con)
    columns = ", ".join(f'"{c}" varchar' for c in (*obj.columns, *obj.optional))
    for schema in ("landing", "raw"):
        con.execute(f'create table if not exists {schema}."{obj.table}" ({columns}, {LINEAGE_DDL})')
        # a column added to the contract since the table was made (e.g. currency)
        for c in (*obj.columns, *obj.optional):
            con.execute(f'alter table {schema}."{obj.table}" add column if not exists "{c}" varchar')
    con.execute(
        f"""create table if not exists {quarantine_table(obj)} (
            _source_file varchar, _source_sha256 varchar, _source_line bigint, rule varchar,
            column_name varchar, offending_value varchar, record varchar, quarantined_at timestamp
        )"""
    )


def add_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    """Add the text columns ``table`` (schema.name) lacks: a newer export may bring a field older ones lacked."""
    # DuckDB's names ignore case: 'amount' is the column 'Amount' (adding it again is a catalog error)
    existing = {row[0].lower() for row in con.execute(f"describe {table}").fetchall()}
    for column in columns:
        if column.lower() not in existing:
            existing.add(column.lower())
            con.execute(f'alter table {table} add column "{column}" varchar')


def drop_landing_only_columns(con: duckdb.DuckDBPyConnection, obj: ExportObject) -> None:
    """Columns of landing that raw lacks and no landing row fills: a rejected file's, which go with it.

    Landing is widened in the landing transaction, raw only when the audit accepts (pipelines.lib.audit.verdict).
    """
    raw = {row[0] for row in con.execute(f'describe raw."{obj.table}"').fetchall()}
    landing = [row[0] for row in con.execute(f'describe landing."{obj.table}"').fetchall()]
    for column in (c for c in landing if c not in raw):
        if not con.execute(f'select count("{column}") from landing."{obj.table}"').fetchone()[0]:
            con.execute(f'alter table landing."{obj.table}" drop column "{column}"')
