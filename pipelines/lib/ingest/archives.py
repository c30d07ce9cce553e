"""Zip archives in the inbox (the Salesforce weekly Data Export arrives as one): unpacked once, beside the zip.

``Export-2026-06-30.zip`` becomes the folder ``Export-2026-06-30.unzipped/`` next to it, holding its CSVs
(and any .xlsx inside, as it is), so both the Salesforce Data Export path and the mapping path
find the members like any other file, the folder sorts where the zip does (latest export wins), and the
lineage of every row names the archive. A folder that exists is not unpacked again; an unreadable or unsafe
archive (path traversal, too large) moves to the rejected folder with its reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.lib.ingest.expand import expand_inputs
from pipelines.lib.ingest.files import FileRejected, move_to_rejected

DONE = ".unpacked"  # marker written last: a folder without it was cut short and is unpacked again


def unpacked_folder(archive: Path) -> Path:
    return archive.with_name(f"{archive.stem}.unzipped")


def unpack_archives(inbox: Path, rejected_dir: Path | None) -> list[str]:
    """Unpack every new .zip under ``inbox``; return a message per archive that could not be unpacked."""
    if not inbox.exists():
        return []
    problems = []
    for archive in sorted(p for p in inbox.rglob("*") if p.is_file() and p.suffix.lower() == ".zip"):
        folder = unpacked_folder(archive)
        if (folder / DONE).exists():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        try:
            expand_inputs(archive, archive.parent)
        except FileRejected as refusal:
            shutil.rmtree(folder, ignore_errors=True)
            moved = move_to_rejected(archive, rejected_dir, str(refusal))
            where = f"The archive was moved to {moved} (reason beside it); n" if moved else "N"
            problems.append(f"{refusal} {where}othing from it was loaded.")
            continue
        (folder / DONE).write_text(f"unpacked from {archive.name}\n", encoding="utf-8")
    return problems
