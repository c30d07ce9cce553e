"""Whether a dbt build has anything new to do: a fingerprint of what it reads, stored with each full build.

A build reads the accepted exports (raw, as listed in raw._ingest_log, and the rows of the raw tables), the dbt
project itself (models, macros, seeds, snapshots, tests and the vars of dbt_project.yml) and the settings of
salesmetrics.yml those vars read (lib/config.py dbt_settings: the reporting currency, whether Opportunity exports
are complete). When all are as they were at the last successful full build, the marts would come out the same:
every run, whoever starts it (the command line, the UI, a schedule, the sensor), skips dbt and says since when
nothing is new.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.lib.config import dbt_settings, load_engine
from pipelines.lib.warehouse import INGEST_LOG, ensure_logs

BUILD_INPUTS = "raw._transform_inputs"
_PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "seeds", "snapshots", "tests")


def _project_files(project_dir: Path) -> list[Path]:
    files: list[Path] = []
    for part in _PROJECT_PARTS:
        path = project_dir / part
        files.extend([path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()))
    return files


def build_inputs_fingerprint(
    con: duckdb.DuckDBPyConnection, project_dir: Path, settings: dict[str, str] | None = None
) -> str:
    """One digest of every accepted load (checksum and time), the row count of every raw table, every file of
    the dbt project and the settings handed to dbt (``settings``, by default salesmetrics.yml's)."""
    ensure_logs(con)
    loads = con.execute(
        f"select coalesce(string_agg(sha256 || '@' || loaded_at, ',' order by loaded_at, sha256), '') "
        f"from {INGEST_LOG} where status = 'accepted'"
    ).fetchone()[0]
    digest = hashlib.sha256(loads.encode())
    # and the rows of every raw table (not the logs, `raw._*`): a row written there by hand is new input too
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_type = 'BASE TABLE' and not starts_with(table_name, '_') order by 1"
        ).fetchall()
    ]
    for name in tables:
        rows = con.execute(f'select count(*) from raw."{name}"').fetchone()[0]
        digest.update(f"{name}:{rows};".encode())
    for path in _project_files(project_dir):
        digest.update(path.relative_to(project_dir).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, value in sorted((dbt_settings() if settings is None else settings).items()):
        digest.update(f"setting {name}={value};".encode())
    engine = load_engine()
    if engine != "duckdb":  # a build on another engine is new work; DuckDB's digests stay as they were
        digest.update(f"engine {engine};".encode())
    return digest.hexdigest()


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"create table if not exists {BUILD_INPUTS} (finished_at timestamp, run_id varchar, fingerprint varchar)"
    )


def last_full_build(con: duckdb.DuckDBPyConnection) -> tuple[str, datetime] | None:
    """The fingerprint and finishing time (UTC) of the last successful full build, None before the first."""
    _ensure(con)
    row = con.execute(
        f"select fingerprint, finished_at from {BUILD_INPUTS} order by finished_at desc limit 1"
    ).fetchone()
    return (row[0], row[1]) if row else None


def record_full_build(con: duckdb.DuckDBPyConnection, fingerprint: str, finished_at: datetime, run_id: str) -> None:
    _ensure(con)
    con.execute(f"insert into {BUILD_INPUTS} values (?, ?, ?)", [finished_at, run_id, fingerprint])


def nothing_new_message(since: datetime) -> str:
    """What a run with nothing new says, wherever it was decided (before the job, or in the dbt asset)."""
    return (
        f"Nothing new since {since:%Y-%m-%d %H:%M} UTC (no export accepted, the dbt project unchanged): "
        "the marts are current, dbt is skipped."
    )


def nothing_new_since(
    con: duckdb.DuckDBPyConnection, project_dir: Path, settings: dict[str, str] | None = None
) -> tuple[str, datetime | None]:
    """(the current fingerprint, when the last full build with that same fingerprint finished, else None)."""
    current = build_inputs_fingerprint(con, project_dir, settings)
    last = last_full_build(con)
    return current, (last[1] if last and last[0] == current else None)


# On Spark only the marts are copied back into DuckDB (lib/transform/spark_export.py import_marts): staging,
# intermediate and the snapshot live in the Spark build's folder.
SCHEMAS_IN_DUCKDB_ON_SPARK = ("marts",)


def missing_tables(con: duckdb.DuckDBPyConnection, manifest: Path) -> list[str]:
    """The tables and views of the dbt project (models, snapshots, seeds) the warehouse lacks: on the engine
    ``spark``, those of the marts."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    on_spark = load_engine() == "spark"
    wanted = {
        (node["schema"], node.get("alias") or node["name"])
        for node in nodes
        if node["resource_type"] in ("model", "snapshot", "seed")
        and (not on_spark or node["schema"] in SCHEMAS_IN_DUCKDB_ON_SPARK)
        and (node.get("config") or {}).get("materialized") != "ephemeral"
        and (node.get("config") or {}).get("enabled", True)
    }
    present = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
    return sorted(f"{schema}.{name}" for schema, name in wanted - present)
