"""The copy of a file DuckDB reads: UTF-8, in streaming chunks (memory stays bounded), one kind of line break, no
report footer. The original file keeps its name and checksum in the lineage."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.ingest.encodings import bad_byte, byte_order, detect_encoding
from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.layout import report_layout
from pipelines.lib.ingest.linebreaks import decoded_chunks, line_breaks, one_kind_of_line_break


@dataclass(frozen=True)
class TextFile:
    original: Path
    readable: Path  # what DuckDB reads: the original, or a UTF-8 copy (transcoded, one kind of line break, no footer)
    encoding: str
    title_lines: int = 0  # lines above the header that are a report's title block, for the reader to skip
    notes: tuple[str, ...] = ()  # what was done to make the file readable, for the log and the metadata


def as_utf8(
    path: Path, cache_dir: Path, checksum: str, encoding: str | None = None, delimiter: str | None = None,
    title: bool = True,
) -> TextFile:  # fmt: skip
    """The file as DuckDB should read it: itself when it is UTF-8 with one kind of line break and no report
    footer; else a UTF-8 copy named by checksum, with its line breaks made LF and the footer cut off.

    ``encoding`` is a mapping's pin (else detected); ``delimiter`` a pinned delimiter; ``title`` False when the
    mapping pins the lines to skip or says there is no header, so no title block is looked for.
    """
    pinned = encoding is not None
    encoding = byte_order(path, encoding) if encoding else detect_encoding(path)
    if pinned and (bad := bad_byte(path, encoding)) is not None:
        offset, value, line = bad
        raise FileRejected(
            path,
            f"the mapping pins encoding {encoding}, but byte 0x{value:02X} (line {line}) is not {encoding} text.",
            "Pin the file's real encoding under files (utf-8, utf-8-sig, utf-16 or cp1252), or remove the pin to "
            "detect it.",
            line=line,
        )
    breaks = line_breaks(path, encoding)
    notes: list[str] = []
    if breaks.mixed:
        notes.append(f"mixed line breaks ({breaks.describe()}) read as one kind")
    source = path
    if encoding != "utf-8" or breaks.mixed:
        cache_dir.mkdir(parents=True, exist_ok=True)
        source = cache_dir / f"{checksum}.{encoding}.csv"
        if not source.exists():
            partial = source.with_suffix(".partial")
            with partial.open("w", encoding="utf-8", newline="") as sink:
                chunks = decoded_chunks(path, encoding)
                for text in one_kind_of_line_break(chunks) if breaks.mixed else chunks:
                    sink.write(text)
            partial.replace(source)
    layout = report_layout(source, delimiter, title=title, balanced=breaks.quotes % 2 == 0)
    readable = source
    if layout.footer_lines:
        readable = cache_dir / f"{checksum}.{encoding}.body.csv"
        cache_dir.mkdir(parents=True, exist_ok=True)
        if not readable.exists():
            partial = readable.with_suffix(".partial")
            with source.open("rb") as full, partial.open("wb") as body:
                shutil.copyfileobj(_limited(full, layout.footer_offset), body)
            partial.replace(readable)
        notes.append(
            f"{layout.footer_lines} footer line{'s' if layout.footer_lines > 1 else ''} after line "
            f"{layout.last_data_line} ignored ({layout.footer_text[:200]!r})"
        )
    if layout.title_lines:
        notes.append(f"{layout.title_lines} title lines above the header skipped ({layout.title_text[:200]!r})")
    return TextFile(path, readable, encoding, layout.title_lines, tuple(notes))


class _limited:
    """A binary reader that stops after ``size`` bytes (for shutil.copyfileobj)."""

    def __init__(self, handle, size: int) -> None:  # noqa: ANN001
        self.handle, self.left = handle, size

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.handle.read(n)
        self.left -= len(data)
        return data
