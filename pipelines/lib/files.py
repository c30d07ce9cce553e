"""What a file is before DuckDB reads it: empty, binary, which text encoding.

DuckDB's CSV reader takes UTF-8 (and UTF-16/Latin-1 with a flag); a UTF-16 or Windows-1252 export is
re-encoded to a UTF-8 copy first, in streaming chunks, so the reader always sees UTF-8 and memory stays
bounded. The original file keeps its name and checksum in the lineage.
"""

from __future__ import annotations

import codecs
import shutil
from dataclasses import dataclass
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


@dataclass(frozen=True)
class TextFile:
    original: Path
    readable: Path  # what DuckDB reads: the original, or a UTF-8 copy
    encoding: str


def detect_encoding(path: Path) -> str:
    """UTF-8 (± BOM), UTF-16 (with BOM) or Windows-1252; raise FileRejected for empty or binary files."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise FileRejected(path, "the file is empty (0 bytes).", "Export the object again; the copy may have failed.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        raise FileRejected(
            path,
            "the file is binary (it contains NUL bytes), not a CSV text export.",
            "Drop the CSV itself into the inbox, not a spreadsheet, archive or database file.",
        )
    if _decodes(path, "utf-8"):
        return "utf-8"
    if _decodes(path, "cp1252"):
        return "cp1252"
    raise FileRejected(
        path,
        "the text encoding is neither UTF-8, UTF-16 nor Windows-1252.",
        "Save the export as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)') and drop it in again.",
    )


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def as_utf8(path: Path, cache_dir: Path, checksum: str) -> TextFile:
    """The file as DuckDB should read it: itself when UTF-8, else a UTF-8 copy named by checksum."""
    encoding = detect_encoding(path)
    if encoding == "utf-8":
        return TextFile(path, path, encoding)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{checksum}.csv"
    if not target.exists():
        partial = target.with_suffix(".partial")
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        with path.open("rb") as source, partial.open("w", encoding="utf-8", newline="") as sink:
            while chunk := source.read(CHUNK):
                sink.write(decoder.decode(chunk))
            sink.write(decoder.decode(b"", final=True))
        partial.replace(target)
    return TextFile(path, target, encoding)


def ends_mid_record(path: Path, encoding: str) -> bool:
    """True when the last byte is not a line break: a sign the export or its copy was cut short."""
    size = path.stat().st_size
    tail_size = 4 if encoding == "utf-16" else 1
    with path.open("rb") as handle:
        handle.seek(max(0, size - tail_size))
        tail = handle.read()
    return not (tail.endswith(b"\n") or tail.endswith(b"\n\x00") or tail.endswith(b"\x00\n"))


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
