"""What a file is before DuckDB reads it, and where a refused one goes: the refusal people read, the rejected
folder. Its encoding: pipelines.lib.ingest.encodings; its line breaks: linebreaks; a report's title block and
footer: layout; the copy DuckDB reads: transcode."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

SNIFF_BYTES = 1 << 16
CHUNK = 1 << 20


class FileRejected(Exception):
    """A file that cannot be loaded at all; ``problem`` and ``fix`` are written for people."""

    def __init__(self, path: Path, problem: str, fix: str, line: int | None = None) -> None:
        self.path, self.problem, self.fix, self.line = path, problem, fix, line
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {problem} Fix: {fix}")


def ends_mid_record(path: Path, encoding: str = "utf-8") -> bool:
    """True when the last byte is no line break (LF or CR): a sign the export or its copy was cut short."""
    size = path.stat().st_size
    tail_size = 4 if encoding.startswith("utf-16") else 1
    with path.open("rb") as handle:
        handle.seek(max(0, size - tail_size))
        tail = handle.read()
    return not tail.rstrip(b"\x00").endswith((b"\n", b"\r")) and not tail.endswith((b"\n\x00", b"\r\x00"))


def move_to_rejected(path: Path, rejected_dir: Path | None, reason: str) -> Path | None:
    """Move a refused file out of the inbox, with ``<name>.reason.txt`` beside it (None: leave it, dry run)."""
    if rejected_dir is None:
        return None
    rejected_dir.mkdir(parents=True, exist_ok=True)
    target = rejected_dir / path.name
    if target.exists():
        target = rejected_dir / f"{path.stem}.{datetime.now():%Y%m%dT%H%M%S}{path.suffix}"
    if path.exists():
        shutil.move(str(path), target)
    target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    return target
