"""The raw layer for Spark: what the audit accepted, exported from the DuckDB warehouse as Parquet.

Ingest and audit run on DuckDB (per-file work); with the engine ``spark`` (README "Spark") dbt reads the raw tables
from Parquet, one folder per table under ``<spark dir>/raw/<table>`` (and the quarantine, which the deleted-deals
model reads, under ``<spark dir>/quarantine/<table>``), registered as external tables by the dbt project
(macros/portable.sql, register_raw_sources). Each folder is written whole beside the live one, then renamed into
place, so Spark never reads half a table.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

# The schemas dbt reads. Tables of the pipeline's own bookkeeping (leading underscore) are not exported.
EXPORTED_SCHEMAS = ("raw", "quarantine")


def spark_dir(warehouse: Path) -> Path:
    """Where everything Spark reads and writes lives: SALES_SPARK_DIR, else ``<warehouse>.spark`` beside it."""
    configured = os.environ.get("SALES_SPARK_DIR")
    return Path(configured).expanduser().resolve() if configured else warehouse.with_name(warehouse.name + ".spark")


def exported_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every table dbt reads on Spark."""
    return con.execute(
        "select schema_name, table_name from duckdb_tables()"
        " where list_contains(?, schema_name) and not starts_with(table_name, '_') order by all",
        [list(EXPORTED_SCHEMAS)],
    ).fetchall()


def export_raw(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Every table dbt reads as ``folder/<schema>/<table>/data.parquet``; returns the rows written per table.

    A table is written into a scratch folder first, then swapped in by two renames (the old folder aside, the new
    one in place); a run killed in between leaves the scratch or the old folder, removed by the next export.
    """
    written = {}
    for schema, table in exported_tables(con):
        parent = folder / schema
        parent.mkdir(parents=True, exist_ok=True)
        scratch, live, old = parent / f".{table}.new", parent / table, parent / f".{table}.old"
        for leftover in (scratch, old):
            shutil.rmtree(leftover, ignore_errors=True)
        scratch.mkdir()
        path = str(scratch / "data.parquet").replace("'", "''")
        # COPY returns the rows it wrote: no second scan of the table to count them.
        copied = con.execute(f'copy "{schema}"."{table}" to \'{path}\' (format parquet)').fetchone()
        written[f"{schema}.{table}"] = copied[0]
        if live.exists():
            live.rename(old)
        scratch.rename(live)
        shutil.rmtree(old, ignore_errors=True)
    return written


def spark_warehouse(folder: Path) -> Path:
    """Spark's warehouse folder (profiles.yml, spark.sql.warehouse.dir): one folder per schema (``marts.db``)."""
    return folder / "warehouse"


def reset_spark_warehouse(folder: Path) -> None:
    """An empty warehouse folder for a build: the session's catalog is in memory (profiles.yml), so each build
    writes every table anew, and Spark refuses to create a table over the files of a previous one."""
    warehouse = spark_warehouse(folder)
    if warehouse.exists():
        aside = folder / f".warehouse.old.{os.getpid()}"
        warehouse.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    warehouse.mkdir(parents=True)


def spark_tables(folder: Path, schema: str) -> dict[str, Path]:
    """The tables a Spark build wrote in ``schema``: name -> folder of its Parquet files."""
    root = spark_warehouse(folder) / f"{schema}.db"
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith((".", "_"))}


def import_marts(con: duckdb.DuckDBPyConnection, folder: Path, schema: str, prefix: str) -> list[str]:
    """Every table Spark built in ``schema`` copied into the DuckDB warehouse as ``schema.<prefix><name>``, where
    the write-audit-publish swap (lib/transform/marts_swap.py) takes them from; returns the names."""
    con.execute(f'create schema if not exists "{schema}"')
    copied = []
    for name, path in spark_tables(folder, schema).items():
        files = "read_parquet('" + str(path / "*.parquet").replace("'", "''") + "')"
        # Spark's TIMESTAMP is an instant (read back WITH TIME ZONE): the models' naive UTC timestamps again.
        columns = ", ".join(
            f'timezone(\'UTC\', "{column}") as "{column}"' if kind == "TIMESTAMP WITH TIME ZONE" else f'"{column}"'
            for column, kind, *_ in con.execute(f"describe select * from {files}").fetchall()
        )
        con.execute(f'create or replace table "{schema}"."{prefix}{name}" as select {columns} from {files}')
        copied.append(name)
    return copied
