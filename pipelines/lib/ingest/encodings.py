"""Which text encoding a file is in (UTF-8, UTF-16 with or without BOM, Windows-1252), or that it is no text.

DuckDB's CSV reader takes UTF-8 (and UTF-16/Latin-1 with a flag); a UTF-16 or Windows-1252 export is
re-encoded to a UTF-8 copy first (pipelines.lib.ingest.transcode), so the reader always sees UTF-8.
"""

from __future__ import annotations

import codecs
from functools import lru_cache
from pathlib import Path

from pipelines.lib.ingest.files import CHUNK, SNIFF_BYTES, FileRejected

# Byte signatures of files that are not text, to name what a refused file is.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a .zip archive or an .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook (or another Office document)"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when the NUL bytes sit in every other byte, as in mostly-ASCII UTF-16."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        encoding = "utf-16-le"
    elif even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        encoding = "utf-16-be"
    else:
        return None
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)  # the sample may end mid-character
    except UnicodeDecodeError:
        return None
    return encoding


def detect_encoding(path: Path) -> str:
    """UTF-8 (± BOM), UTF-16 (BOM, or mostly-ASCII text without one) or Windows-1252; raise FileRejected for
    empty or binary files and for bytes that are text in none of these.

    The answer (or the refusal) is remembered for the process while the file's size, modification and change
    times and inode stay the same, as ``checksums.file_checksum`` remembers a checksum: a run plans the inbox
    once per ingest asset (~25 times) and lands each file, and each of those asked for a read of every file whole.
    """
    status = path.stat()
    known = _detected(str(path), status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    if isinstance(known, FileRejected):
        raise FileRejected(known.path, known.problem, known.fix, known.line)
    return known


@lru_cache(maxsize=4096)
def _detected(path: str, size: int, mtime_ns: int, ctime_ns: int, inode: int) -> str | FileRejected:
    """The encoding of ``path``, or its refusal; the file's size, times and inode are part of the cache's key."""
    try:
        return _detect_encoding(Path(path))
    except FileRejected as refusal:
        return refusal


def head_encoding(path: Path) -> str:
    """The encoding the first SNIFF_BYTES of ``path`` read in: enough to read a header, without reading the file
    whole as ``detect_encoding`` must (at 10M deals planning the inbox read 12 GB per process for its headers).
    A byte further down that no encoding takes is refused by landing, which calls ``detect_encoding``."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    by_head = _encoding_by_head(path, head)
    if by_head is not None:
        return by_head
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # the head may end mid-character
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _encoding_by_head(path: Path, head: bytes) -> str | None:
    """What the first bytes alone decide (a byte-order mark, UTF-16 without one); raise FileRejected for an empty
    or binary file; None for 8-bit text, UTF-8 or Windows-1252, which only the whole file can tell apart."""
    if not head:
        raise FileRejected(path, "the file is empty (0 bytes).", "Export the object again; the copy may have failed.")
    bom = next((b for b in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) if head.startswith(b)), b"")
    if bom and len(head) < SNIFF_BYTES and not head[len(bom) :].replace(b"\x00", b"").strip():
        # a BOM alone (Excel's "CSV UTF-8" of an empty sheet), perhaps with a line break: no header, no rows
        problem = "the file is empty (no text after its byte-order mark)."
        raise FileRejected(path, problem, "Export the object again; the copy may have failed.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        if utf16 := _utf16_without_bom(head):
            return utf16
        what = next((name for magic, name in MAGIC if head.startswith(magic)), None)
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        problem = (
            f"the file is binary: {what}, not a CSV text export."
            if what
            else f"the file is binary (it contains NUL bytes, the first on line {line}), not a CSV text export."
        )
        raise FileRejected(
            path, problem, "Drop the CSV itself into the inbox, not a spreadsheet, archive or database file."
        )
    return None


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    by_head = _encoding_by_head(path, head)
    if by_head is not None:
        return by_head
    if bad_byte(path, "utf-8") is None:
        return "utf-8"
    bad = bad_byte(path, "cp1252")
    if bad is None:
        return "cp1252"
    offset, value, line = bad
    raise FileRejected(
        path,
        f"byte 0x{value:02X} (line {line}) is a character neither in UTF-8 nor in Windows-1252, and the file has "
        "no UTF-16 byte-order mark, so its text encoding is none of those three.",
        "Save the export as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)') and drop it in again.",
        line=line,
    )


def byte_order(path: Path, encoding: str) -> str:
    """A pinned ``utf-16`` without a byte-order mark: little- or big-endian, as the NUL bytes show."""
    if encoding != "utf-16":
        return encoding
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return encoding
    return _utf16_without_bom(head) or "utf-16-le"


def bad_byte(path: Path, encoding: str) -> tuple[int, int, int] | None:
    """(offset, byte, line) of the first byte that does not decode in ``encoding``; None when all of it does.

    Lines are counted only when a bad byte is found (a second read up to it): counting them in every chunk of
    every good file cost as much as the scan itself."""
    decoder = codecs.getincrementaldecoder(encoding)()
    ascii_is_text = not encoding.lower().startswith("utf-16")  # a UTF-16 file needs its bytes in pairs
    done = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK)
            if ascii_is_text and chunk and chunk.isascii() and not decoder.getstate()[0]:
                done += len(chunk)  # ASCII decodes in UTF-8 and Windows-1252 alike: no need to decode it
                continue
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # exc.start counts in the decoder's input: bytes held back from the last chunk come first
                held = len(decoder.getstate()[0]) if hasattr(decoder, "getstate") else 0
                at = max(0, exc.start - held)
                return done + at, chunk[at] if at < len(chunk) else 0, _lines_before(path, done + at) + 1
            if not chunk:
                return None
            done += len(chunk)


def _lines_before(path: Path, offset: int) -> int:
    """Line feeds in the first ``offset`` bytes."""
    lines, left = 0, offset
    with path.open("rb") as handle:
        while left > 0 and (chunk := handle.read(min(CHUNK, left))):
            lines += chunk.count(b"\n")
            left -= len(chunk)
    return lines


def _decodes(path: Path, encoding: str) -> bool:
    return bad_byte(path, encoding) is None
