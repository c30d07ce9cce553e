"""What the kill harness (tests/faults/harness.py) checks in a work folder after each kill and rerun."""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import duckdb

from pipelines.lib.transform.marts_swap import BUILD_PREFIX

PERIOD = "2026-06"
# Lock and scratch files (the run lock, publication and analysts' copy scratch, DuckDB's write-ahead log and
# spill folder); dbt's kept parse state (.warehouse.duckdb.dbt_partial_parse.msgpack) is meant to stay.
TEMPS = ("*.lock", "*.partial", "*.wal", "*.tmp")
VERSION_FOLDER = re.compile(r"v\d+")


def marts(database: Path) -> dict[str, str]:
    """Each live mart's content as one digest (its rows in a fixed order), as readers see it: the build's tables
    (``_build__…``) are left out."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' "
                "and not starts_with(table_name, '_') order by 1"
            ).fetchall()
        ]
        return {
            t: con.execute(
                f"select count(*) || ':' || md5(coalesce(string_agg(x::varchar, '|' order by x::varchar), '')) "
                f'from marts."{t}" x'
            ).fetchone()[0]
            for t in tables
        }


def released(database: Path, seconds: float = 30.0) -> None:
    """Once the killed processes' lock on ``database`` is gone: the kernel drops a dead process's lock as it exits,
    and on a busy machine a killed dbt was seen holding it a moment after the command was reaped (the check then
    failed with "Conflicting lock is held"). A lock still held after ``seconds`` raises, and the kill's check fails."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            duckdb.connect(str(database), read_only=True).close()
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def build_leftovers(database: Path) -> list[str]:
    """Tables or views of an unfinished build still in ``marts``."""
    with duckdb.connect(str(database), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and starts_with(table_name, ?) order by 1",
                [BUILD_PREFIX],
            ).fetchall()
        ]


def loaded_twice(warehouse: Path) -> list[str]:
    """Files in the ingest log twice, and raw rows (file, line) present twice."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        twice = [
            f"{obj} {sha[:8]} logged {n} times"
            for obj, sha, n in con.execute(
                "select object, sha256, count(*) from raw._ingest_log where status <> 'rejected' "
                "group by all having count(*) > 1"
            ).fetchall()
        ]
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw' and not starts_with(table_name, '_')"
        ).fetchall():
            rows = con.execute(
                f'select count(*) from (select 1 from raw."{table}" group by _source_sha256, _source_line '
                "having count(*) > 1)"
            ).fetchone()[0]
            if rows:
                twice.append(f"raw.{table}: {rows} rows twice")
    return twice


def temps(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for pattern in TEMPS for p in root.rglob(pattern))


def half_publications(root: Path) -> list[str]:
    """Version folders (``v1``, ``v2``: not ``versions.json``) whose manifest is missing or whose files do not
    match it."""
    broken = []
    for folder in sorted((root / "published").glob("*/*/v*")):
        if not (folder.is_dir() and VERSION_FOLDER.fullmatch(folder.name)):
            continue
        manifest = folder / "manifest.json"
        if not manifest.exists():
            broken.append(f"{folder.relative_to(root)} has no manifest")
            continue
        for name, digest in json.loads(manifest.read_text())["files_sha256"].items():
            path = folder / name
            if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                broken.append(f"{folder.relative_to(root)}/{name} missing or changed")
    return broken


def versions(root: Path) -> list[int]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "select distinct version from snapshots.kpi_monthly_versions where period = ? order by 1", [PERIOD]
            ).fetchall()
        ]


def _mart_query(con: duckdb.DuckDBPyConnection, db: str, table: str, inbox: Path) -> str:
    columns = con.execute(
        "select column_name from duckdb_columns() where database_name = ? and schema_name = 'marts' "
        "and table_name = ? order by column_index",
        [db, table],
    ).fetchall()
    # lineage holds absolute paths: compared relative to each warehouse's inbox
    names = [f"replace(\"{c}\", '{inbox}', '')" if c == "_source_file" else f'"{c}"' for (c,) in columns]
    return f'select {", ".join(names)} from {db}.marts."{table}"'


def mart_differences(first: Path, second: Path) -> dict[str, tuple[int, int]]:
    """Per live mart of schema ``marts`` of two run folders (``<root>/warehouse.duckdb``, files under
    ``<root>/inbox``): (rows only in the first, rows only in the second), EXCEPT ALL both ways; a mart only one
    side has counts all its rows. Empty when the marts are equal row for row."""
    found = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{first / 'warehouse.duckdb'}' as a (read_only)")
        con.execute(f"attach '{second / 'warehouse.duckdb'}' as b (read_only)")
        listed = "select table_name from duckdb_tables() where database_name = ? and schema_name = 'marts' "
        listed += "and not starts_with(table_name, '_')"
        a_tables = {t for (t,) in con.execute(listed, ["a"]).fetchall()}
        b_tables = {t for (t,) in con.execute(listed, ["b"]).fetchall()}
        for table in sorted(a_tables | b_tables):
            if table not in b_tables or table not in a_tables:
                db = "a" if table in a_tables else "b"
                rows = con.execute(f'select count(*) from {db}.marts."{table}"').fetchone()[0]
                found[table] = (rows, 0) if db == "a" else (0, rows)
                continue
            a, b = _mart_query(con, "a", table, first / "inbox"), _mart_query(con, "b", table, second / "inbox")
            counts = tuple(
                con.execute(f"select count(*) from ({x} except all {y})").fetchone()[0] for x, y in ((a, b), (b, a))
            )
            if counts != (0, 0):
                found[table] = counts
    return found


def mart_count(root: Path) -> int:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' and not starts_with(table_name, '_')"
        ).fetchone()[0]
