"""Whether a run has anything to do, decided once, before the run's job starts (``salesmetrics run``).

A refresh with nothing new used to cost a Dagster run of ~25 ingest steps and as many audit checks, each opening
the warehouse and planning the inbox again, and ~450 events written to Dagster's storage: 40 s and more for no
work. This is the same decision in one pass with one connection, made in the order the job makes it:

- the inbox: nothing to refuse (links out, pipes), no archive left to unpack, no mapping error or conflict,
  and every file the ingest would land already loaded for its object (its checksum, as the ingest asset
  compares it; ``ingest/checksums.py`` reads a file again only when its size or times changed);
- the audit: no landed file waiting for it;
- the transform: the build fingerprint (exports, raw rows, dbt project, the settings dbt reads) is the last full
  build's, every table of the dbt project is there, and the analysts' copy is not older than the build.

Anything else (or any doubt: a file that cannot be read, a warehouse that cannot be opened) returns None and
the job runs as before, deciding and reporting every step itself.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.lib.ingest.archives import DONE, unpacked_folder
from pipelines.lib.ingest.boundary import why_refused
from pipelines.lib.ingest.canonical import CANONICAL_OBJECTS
from pipelines.lib.ingest.checksums import file_checksum
from pipelines.lib.ingest.loader import already_loaded
from pipelines.lib.ingest.mapping.discover import BUILTIN_MAPPINGS, load_builtins, plan
from pipelines.lib.ingest.mapping.load import MappingError
from pipelines.lib.ingest.salesforce import ExportObject
from pipelines.lib.publish.analyst_copy import analyst_copy_path, copy_is_older_than
from pipelines.lib.run_lock import connect_writer, writer_lock
from pipelines.lib.settings import DBT_PROJECT_DIR
from pipelines.lib.transform.fingerprint import missing_tables, nothing_new_message, nothing_new_since
from pipelines.lib.warehouse import INGEST_LOG, ensure_logs


@dataclass(frozen=True)
class NothingNew:
    since: datetime  # when the last full build with the same inputs finished (UTC)
    files: int  # inbox files found, every one already loaded

    def message(self) -> str:
        return nothing_new_message(self.since)


def inbox_needs_work(inbox: Path) -> bool:
    """An entry the ingest would refuse, or a .zip it would unpack."""
    root = inbox.resolve()
    for path in root.rglob("*"):
        if why_refused(path, root) is not None:
            return True
        if path.suffix.lower() == ".zip" and path.is_file() and not (unpacked_folder(path) / DONE).exists():
            return True
    return False


def files_to_land(inbox: Path, mapping_file: Path | None) -> list[tuple[ExportObject, Path]] | None:
    """(object, file) for every file the ingest assets would consider; None when the plan stops the run."""
    try:
        found = plan(inbox, mapping_file, load_builtins(BUILTIN_MAPPINGS))
    except MappingError:
        return None
    if found.conflicts:
        return None
    files = [(f.obj, f.path) for f in found.salesforce]
    for mapped in found.read:
        for obj in CANONICAL_OBJECTS:
            if any(block.from_ == mapped.key for block in mapped.loaded.mapping.blocks(obj.name)):
                files.append((obj, mapped.path))
    return files


def nothing_new(
    con: duckdb.DuckDBPyConnection, inbox: Path, mapping_file: Path | None, warehouse: Path, project_dir: Path
) -> NothingNew | None:
    """NothingNew when a run of refresh_warehouse_job would load, audit and build nothing; else None.

    ``con`` is the warehouse's writer connection (the checksums read are remembered).
    """
    if not inbox.is_dir() or inbox_needs_work(inbox):
        return None
    files = files_to_land(inbox, mapping_file)
    if files is None:
        return None
    ensure_logs(con)
    for obj, path in files:
        if not already_loaded(con, obj, file_checksum(con, path)):
            return None
    if con.execute(f"select count(*) from {INGEST_LOG} where status = 'pending'").fetchone()[0]:
        return None
    _, since = nothing_new_since(con, project_dir)
    if since is None or missing_tables(con, project_dir / "target" / "manifest.json"):
        return None
    if copy_is_older_than(analyst_copy_path(warehouse), since):
        return None
    return NothingNew(since, len(files))


def nothing_new_before_a_run(
    inbox: Path, warehouse: Path, mapping_file: Path | None, entry: str, config: dict[str, Any]
) -> NothingNew | None:
    """``nothing_new`` under the warehouse's writer lock, as a run would decide it; None on any doubt.

    For whatever is about to start a run (``salesmetrics run``, the daily schedule, the inbox sensor). No wait:
    when another run or a session holds the warehouse, None, and the run that follows waits for it (as long as
    runs.lock_wait_seconds says) and says who holds it. Any error (a warehouse or file that cannot be read) is
    None too: the job then decides every step itself and reports what is wrong. ``config``: the connection's
    DuckDB settings (memory limit, spill folder), as every writer connection gets them.
    """
    if not warehouse.is_file():
        return None
    try:
        with writer_lock(warehouse, entry, 0), closing(connect_writer(str(warehouse), config, 0)) as con:
            return nothing_new(con, inbox.resolve(), mapping_file, warehouse.resolve(), DBT_PROJECT_DIR)
    except Exception:  # the job decides, and says what is wrong
        return None
