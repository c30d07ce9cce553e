"""Whether a dbt build has anything new to do: a fingerprint of what it reads, stored with each full build.

A build reads the accepted exports (raw, as listed in raw._ingest_log, and the rows of the raw tables), the dbt
project itself (models, macros, seeds, snapshots, tests and the vars of dbt_project.yml) and the settings of
salesmetrics.yml those vars read (lib/config.py dbt_settings: the reporting currency, whether Opportunity exports
are complete). When all are as they were at the last successful full build, the marts would come out the same:
every run, whoever starts it (the command line, the UI, a schedule, the sensor), skips dbt and says since when
nothing is new.

Each successful full build also records what it read in a form the next build can check (``raw_state``: each raw
table's columns, rows and newest load; ``project_digest``: the dbt project and settings). The next build is
incremental only when raw has only gained rows since (every row loaded up to the last build is still there, none
was added with an older load time, no column came or went) and the project and settings are the same;
``full_refresh_reason`` says why not otherwise, and the build then runs with ``--full-refresh``.
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


def project_digest(project_dir: Path, settings: dict[str, str] | None = None) -> str:
    """One digest of every file of the dbt project and the settings handed to dbt: a change to either can change
    any row of any model, so the next build is a full one."""
    digest = hashlib.sha256()
    for path in _project_files(project_dir):
        digest.update(path.relative_to(project_dir).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, value in sorted((dbt_settings() if settings is None else settings).items()):
        digest.update(f"setting {name}={value};".encode())
    engine = load_engine()
    if engine != "duckdb":  # a build on another engine is new work; DuckDB's digests stay as they were
        digest.update(f"engine {engine};".encode())
    return digest.hexdigest()


def _raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The raw tables dbt reads (not the logs, ``raw._*``)."""
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' "
            "and table_type = 'BASE TABLE' and not starts_with(table_name, '_') order by 1"
        ).fetchall()
    ]


def raw_state(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Per raw table: its columns, its rows and the load time of its newest rows (``loaded_until``, ISO text)."""
    state = {}
    for name in _raw_tables(con):
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
                "order by ordinal_position",
                [name],
            ).fetchall()
        ]
        rows, until = con.execute(f'select count(*), max(_loaded_at) from raw."{name}"').fetchone()
        state[name] = {"columns": columns, "rows": rows, "loaded_until": until.isoformat() if until else None}
    return state


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
    for name in _raw_tables(con):
        rows = con.execute(f'select count(*) from raw."{name}"').fetchone()[0]
        digest.update(f"{name}:{rows};".encode())
    digest.update(project_digest(project_dir, settings).encode())
    return digest.hexdigest()


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"create table if not exists {BUILD_INPUTS} (finished_at timestamp, run_id varchar, fingerprint varchar)"
    )
    # what the build read, for the next build's choice between incremental and full (warehouses made before
    # incremental builds lack these columns: their next build is a full one)
    for column, kind in (("project_digest", "varchar"), ("raw_state", "varchar"), ("full_refresh", "boolean")):
        con.execute(f"alter table {BUILD_INPUTS} add column if not exists {column} {kind}")


def last_full_build(con: duckdb.DuckDBPyConnection) -> tuple[str, datetime] | None:
    """The fingerprint and finishing time (UTC) of the last successful full build, None before the first."""
    _ensure(con)
    row = con.execute(
        f"select fingerprint, finished_at from {BUILD_INPUTS} order by finished_at desc limit 1"
    ).fetchone()
    return (row[0], row[1]) if row else None


def record_full_build(
    con: duckdb.DuckDBPyConnection,
    fingerprint: str,
    finished_at: datetime,
    run_id: str,
    *,
    project: str | None = None,
    raw: dict[str, dict] | None = None,
    full_refresh: bool | None = None,
) -> None:
    """Record a successful build of every model: its fingerprint, and what it read (``project``, ``raw``, taken
    before dbt started) with whether it was a full refresh."""
    _ensure(con)
    con.execute(
        f"insert into {BUILD_INPUTS} (finished_at, run_id, fingerprint, project_digest, raw_state, full_refresh) "
        "values (?, ?, ?, ?, ?, ?)",
        [finished_at, run_id, fingerprint, project, None if raw is None else json.dumps(raw), full_refresh],
    )


def full_refresh_reason(
    con: duckdb.DuckDBPyConnection,
    project_dir: Path,
    settings: dict[str, str] | None = None,
    state: dict[str, dict] | None = None,
    *,
    project: str | None = None,
) -> str | None:
    """Why the next build must rebuild every model from raw, or None when it may be incremental: raw holds every
    row the last successful full build read, and only rows loaded after it besides, and the dbt project and
    settings are the same. ``state`` and ``project``: raw_state and project_digest taken now (by default, read
    here)."""
    _ensure(con)
    last = con.execute(
        f"select project_digest, raw_state from {BUILD_INPUTS} order by finished_at desc limit 1"
    ).fetchone()
    if last is None or last[0] is None or last[1] is None:
        return "no earlier build recorded what it read"
    if last[0] != (project_digest(project_dir, settings) if project is None else project):
        return "the dbt project or the settings dbt reads changed since the last build"
    before: dict[str, dict] = json.loads(last[1])
    now = raw_state(con) if state is None else state
    for name in sorted(set(before) | set(now)):
        if name not in now or name not in before:
            return f"raw.{name} {'is gone' if name not in now else 'is new'} since the last build"
        if now[name]["columns"] != before[name]["columns"]:
            return f"raw.{name} has other columns than at the last build"
        until = before[name]["loaded_until"]
        kept = con.execute(
            f'select count(*) from raw."{name}" where _loaded_at is null or _loaded_at <= cast(? as timestamp)',
            [until or "0001-01-01"],
        ).fetchone()[0]
        if kept != before[name]["rows"]:
            return (
                f"raw.{name} lost, replaced or back-dated rows since the last build "
                f"({before[name]['rows']:,} rows loaded up to it then, {kept:,} now)"
            )
    return None


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
