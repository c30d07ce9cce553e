"""The sha256 of an export file, which says whether it was loaded before (under any name)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pipelines.lib.warehouse import FILE_CHECKSUMS, ensure_logs, transaction


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def file_checksum(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The sha256 of ``path``, read again only when its size, modification or change time or inode differ from
    when it was last read (the checksums of a 1 GB inbox cost seconds on every run with nothing new).

    The change time (ctime) moves on every write and cannot be set back by copying tools (``cp -p``, ``rsync -t``
    and ``touch -d`` set only the modification time), so an edited file is always read again; a file only
    touched is read again and found the same.
    """
    ensure_logs(con)
    status = path.stat()
    key = [str(path), status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
    known = con.execute(
        f"select sha256 from {FILE_CHECKSUMS} where path = ? and size = ? and mtime_ns = ? and ctime_ns = ? "
        "and inode = ?",
        key,
    ).fetchone()
    if known:
        return known[0]
    checksum = sha256_of(path)
    with transaction(con):
        con.execute(f"delete from {FILE_CHECKSUMS} where path = ?", [str(path)])
        con.execute(f"insert into {FILE_CHECKSUMS} values (?, ?, ?, ?, ?, ?)", [*key, checksum])
    return checksum
