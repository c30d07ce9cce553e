"""Land export files in DuckDB ``raw`` as text, with lineage, through DuckDB's own CSV reader.

Raw keeps every export ever loaded (history); staging picks the latest row per id. A file whose checksum
is already in the ingest log for the same object is skipped, so loading twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.salesforce import ExportObject

INGEST_LOG = "raw._ingest_log"


class IngestError(Exception):
    """A file that cannot be loaded as the object it claims to be; the message is for people."""


@dataclass(frozen=True)
class LoadResult:
    file: Path
    sha256: str
    rows: int
    skipped: bool


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def find_exports(inbox: Path, obj: ExportObject) -> list[Path]:
    """Every file under ``inbox`` that is an export of ``obj``, oldest export folder first.

    Sorting by path puts dated export folders (2026-06-23/, 2026-06-30/) in order, so a later export is
    loaded later and wins in staging.
    """
    if not inbox.exists():
        return []
    return sorted(p for p in inbox.rglob("*") if p.is_file() and obj.matches(p.name))


def ensure_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""create table if not exists {INGEST_LOG} (
            object varchar, raw_table varchar, source_file varchar, sha256 varchar,
            rows bigint, loaded_at timestamp
        )"""
    )


def already_loaded(con: duckdb.DuckDBPyConnection, obj: ExportObject, sha256: str) -> bool:
    found = con.execute(
        f"select count(*) from {INGEST_LOG} where object = ? and sha256 = ?", [obj.name, sha256]
    ).fetchone()
    return bool(found and found[0])


def _file_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    try:
        described = con.execute(
            "describe select * from read_csv(?, all_varchar = true, header = true)", [str(path)]
        ).fetchall()
    except duckdb.Error as exc:
        raise IngestError(
            f"{path}: DuckDB cannot read this file as CSV ({str(exc).splitlines()[0]}). "
            "Check that it is a comma/semicolon/tab-separated text export and not truncated."
        ) from exc
    return [row[0] for row in described]


def _ensure_table(con: duckdb.DuckDBPyConnection, obj: ExportObject, columns: list[str]) -> None:
    """Create the raw table, or widen it when a newer export brings a column the older ones lacked."""
    table = f'raw."{obj.table}"'
    column_defs = ", ".join(f'"{c}" varchar' for c in columns)
    con.execute(
        f"create table if not exists {table} ({column_defs}, _source_file varchar, "
        "_source_sha256 varchar, _source_line bigint, _loaded_at timestamp)"
    )
    existing = {row[0] for row in con.execute(f"describe {table}").fetchall()}
    for column in columns:
        if column not in existing:
            con.execute(f'alter table {table} add column "{column}" varchar')


def load_file(con: duckdb.DuckDBPyConnection, obj: ExportObject, path: Path) -> LoadResult:
    """Append one export file to ``raw.<obj.table>``; skip it when the same bytes were loaded before.

    ``_source_line`` is the file line of the record (the header is line 1), exact for files without
    line breaks inside quoted fields.
    """
    ensure_log(con)
    checksum = sha256_of(path)
    if already_loaded(con, obj, checksum):
        return LoadResult(file=path, sha256=checksum, rows=0, skipped=True)

    columns = _file_columns(con, path)
    missing = [c for c in obj.required if c not in columns]
    if missing:
        raise IngestError(
            f"{path}: this {obj.name} export has no column {', '.join(missing)} (line 1, the header, "
            f"has: {', '.join(columns[:12])}). Export the object with its API field names, or add a "
            "mapping for this layout."
        )
    _ensure_table(con, obj, columns)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    select_columns = ", ".join(f'"{c}"' for c in columns)
    con.execute("begin transaction")
    try:
        inserted = con.execute(
            f'insert into raw."{obj.table}" by name '
            f"select {select_columns}, ? as _source_file, ? as _source_sha256, "
            "ordinality + 1 as _source_line, ? as _loaded_at "
            "from read_csv(?, all_varchar = true, header = true) with ordinality",
            [str(path), checksum, loaded_at, str(path)],
        ).fetchone()
        rows = int(inserted[0]) if inserted else 0
        con.execute(
            f"insert into {INGEST_LOG} values (?, ?, ?, ?, ?, ?)",
            [obj.name, obj.table, str(path), checksum, rows, loaded_at],
        )
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        raise IngestError(
            f"{path}: loading stopped ({str(exc).splitlines()[0]}); nothing from this file was kept. "
            "Check the file is complete and consistently delimited, then run again."
        ) from exc
    return LoadResult(file=path, sha256=checksum, rows=rows, skipped=False)


def ensure_empty_table(con: duckdb.DuckDBPyConnection, obj: ExportObject) -> None:
    """An object with no export yet still gets its (empty) raw table, so staging models can run."""
    ensure_log(con)
    _ensure_table(con, obj, list(obj.columns))
