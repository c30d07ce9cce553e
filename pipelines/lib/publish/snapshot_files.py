"""The files of one published version: kpi.parquet, a formula-safe kpi.csv, the deliverables and a manifest with
every file's checksum, written beside the period's versions.json."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.lib.publish.deliverables import VersionIdentity, freeze_sections, render_deliverables
from pipelines.lib.publish.restatements import freeze_restatements


@contextmanager
def files_written(
    con: duckdb.DuckDBPyConnection, target: Path, identity: VersionIdentity
) -> Iterator[Callable[[], Path]]:
    """Write the publication into a scratch folder beside ``target``: the files DuckDB writes (kpi.parquet, kpi.csv,
    restatements, sections) at once, then the workbook and page, rendered from those files by Python alone, in a
    thread while the caller records the version in the warehouse. The function yielded waits for them, writes the
    manifest and returns the scratch folder: the caller renames it into place (inside the transaction that records
    it), so a reader never sees half a publication."""
    scratch = target.with_name(f".{target.name}.partial")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    con.execute(f"copy _period to '{scratch / 'kpi.parquet'}' (format parquet)")
    con.execute(f"copy ({csv_safe_select(con)}) to '{scratch / 'kpi.csv'}' (format csv, header true)")
    freeze_restatements(con, scratch, identity.version)
    freeze_sections(con, scratch, identity.grain, identity.label)

    def finish() -> Path:
        rendering.result()
        write_manifest(scratch, identity)
        return scratch

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="publication-files") as pool:
        rendering = pool.submit(render_deliverables, scratch, identity)
        yield finish


def write_manifest(scratch: Path, identity: VersionIdentity) -> None:
    """manifest.json: the version, where its rows come from, and the checksum of every file and input file."""
    files = {
        p.relative_to(scratch).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(scratch.rglob("*"))
        if p.is_file()
    }
    manifest = {
        "snapshot_id": identity.snapshot_id,
        "period": identity.label,
        "version": identity.version,
        "published_at": identity.published_at.isoformat(),
        "run_id": identity.run_id,
        "rows": identity.rows,
        "source": identity.source,
        "files_sha256": files,
        "input_files_sha256": json.loads(identity.checksums),
    }
    (scratch / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


FORMULA_LEADS = r"^[=+\-@\t\r]"
VERSION_FOLDER = re.compile(r"v\d+")


def csv_safe_select(con: duckdb.DuckDBPyConnection) -> str:
    """The period's rows for kpi.csv, with text a spreadsheet would run as a formula prefixed by a quote.

    A scope or KPI name starting with = + - @ (or a tab / carriage return) comes from a CRM field; opened in
    Excel it would be evaluated. kpi.parquet and the snapshot tables keep the exact text.
    """
    columns = con.execute("select column_name, column_type from (describe _period)").fetchall()
    quote = "''''"  # SQL for a string holding one single quote
    selected = [
        f'case when regexp_matches("{name}", \'{FORMULA_LEADS}\') then {quote} || "{name}" '
        f'else "{name}" end as "{name}"'
        if kind == "VARCHAR"
        else f'"{name}"'
        for name, kind in columns
    ]
    return f"select {', '.join(selected)} from _period"


def clean_unrecorded(con: duckdb.DuckDBPyConnection, folder: Path, table: str, label: str) -> list[Path]:
    """Remove what a killed publication left in a period's folder: scratch folders and files (``*.partial``) and
    version folders the snapshot table does not record (renamed into place, then killed before the commit, which
    made every later publication of the period fail on the existing folder). Return what was removed."""
    if not folder.is_dir():
        return []
    recorded = {
        f"v{v}" for (v,) in con.execute(f"select distinct version from {table} where period = ?", [label]).fetchall()
    }
    stale = [
        p
        for p in sorted(folder.iterdir())
        if p.name.endswith(".partial") or (p.is_dir() and VERSION_FOLDER.fullmatch(p.name) and p.name not in recorded)
    ]
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return stale


def write_index(con: duckdb.DuckDBPyConnection, folder: Path, table: str, label: str) -> None:
    versions = con.execute(
        f"select distinct version, snapshot_id, published_at from {table} where period = ? order by version",
        [label],
    ).fetchall()
    index = {
        "period": label,
        "current_version": versions[-1][0],
        "versions": [
            {"version": v, "snapshot_id": s, "published_at": p.isoformat(), "folder": f"v{v}"} for v, s, p in versions
        ],
    }
    partial = folder / ".versions.json.partial"
    partial.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    partial.replace(folder / "versions.json")
