"""What a file is before DuckDB reads it: empty, binary, which text encoding.

DuckDB's CSV reader takes UTF-8 (and UTF-16/Latin-1 with a flag); a UTF-16 or Windows-1252 export is
re-encoded to a UTF-8 copy first, in streaming chunks, so the reader always sees UTF-8 and memory stays
bounded. The original file keeps its name and checksum in the lineage.
"""

from __future__ import annotations

import codecs
import csv
import re
import shutil
from collections.abc import Iterator
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
    readable: Path  # what DuckDB reads: the original, or a UTF-8 copy (transcoded, one kind of line break, no footer)
    encoding: str
    title_lines: int = 0  # lines above the header that are a report's title block, for the reader to skip
    notes: tuple[str, ...] = ()  # what was done to make the file readable, for the log and the metadata


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
    empty or binary files and for bytes that are text in none of these."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise FileRejected(path, "the file is empty (0 bytes).", "Export the object again; the copy may have failed.")
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
    if _bad_byte(path, "utf-8") is None:
        return "utf-8"
    bad = _bad_byte(path, "cp1252")
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


def _byte_order(path: Path, encoding: str) -> str:
    """A pinned ``utf-16`` without a byte-order mark: little- or big-endian, as the NUL bytes show."""
    if encoding != "utf-16":
        return encoding
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return encoding
    return _utf16_without_bom(head) or "utf-16-le"


def _bad_byte(path: Path, encoding: str) -> tuple[int, int, int] | None:
    """(offset, byte, line) of the first byte that does not decode in ``encoding``; None when all of it does."""
    decoder = codecs.getincrementaldecoder(encoding)()
    done, lines = 0, 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # exc.start counts in the decoder's input: bytes held back from the last chunk come first
                held = len(decoder.getstate()[0]) if hasattr(decoder, "getstate") else 0
                at = max(0, exc.start - held)
                return done + at, chunk[at] if at < len(chunk) else 0, lines + chunk[:at].count(b"\n") + 1
            if not chunk:
                return None
            done += len(chunk)
            lines += chunk.count(b"\n")


def _decodes(path: Path, encoding: str) -> bool:
    return _bad_byte(path, encoding) is None


@dataclass(frozen=True)
class LineBreaks:
    """How the lines of a file end (counted outside and inside quotes alike) and how many quote characters
    it has (an even number: every quoted field is closed)."""

    lf: int
    crlf: int
    cr: int
    quotes: int

    @property
    def mixed(self) -> bool:
        return sum(1 for n in (self.lf, self.crlf, self.cr) if n) > 1

    def describe(self) -> str:
        kinds = [f"{name} {n:,}" for name, n in (("LF", self.lf), ("CRLF", self.crlf), ("CR", self.cr)) if n]
        return ", ".join(kinds)


def line_breaks(path: Path, encoding: str) -> LineBreaks:
    """Count LF, CRLF and lone CR line ends and quote characters; raw bytes for 8-bit text, decoded for UTF-16."""
    lf = crlf = cr = quotes = 0
    wide = encoding.startswith("utf-16")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace") if wide else None
    r, n, q = ("\r", "\n", '"') if wide else (b"\r", b"\n", b'"')
    carry: bytes | str = r[:0]
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            text = carry + (decoder.decode(chunk) if decoder else chunk)  # type: ignore[operator]
            carry = text[-1:] if text.endswith(r) else text[:0]  # a CR may be the first half of a CRLF
            text = text[: len(text) - len(carry)]
            returns = text.count(r)
            pairs = text.count(r + n) if returns else 0
            crlf += pairs
            cr += returns - pairs
            lf += text.count(n) - pairs
            quotes += text.count(q)
    cr += len(carry)
    return LineBreaks(lf, crlf, cr, quotes)


_LINE_END = re.compile(r"\r\n?")


def _one_kind_of_line_break(chunks: Iterator[str]) -> Iterator[str]:
    """The text with every CRLF and lone CR outside quoted fields made LF; line breaks inside a quoted value
    (a multi-line description) are part of the value and stay as they are. Quote parity decides inside."""
    inside, pending = False, ""
    for chunk in chunks:
        chunk = pending + chunk
        pending = "\r" if chunk.endswith("\r") else ""
        chunk = chunk[: len(chunk) - len(pending)]
        out, last = [], 0
        for match in _LINE_END.finditer(chunk):
            if chunk.count('"', last, match.start()) % 2:
                inside = not inside
            out.append(chunk[last : match.start()])
            out.append(match.group() if inside else "\n")
            last = match.end()
        if chunk.count('"', last) % 2:
            inside = not inside
        out.append(chunk[last:])
        yield "".join(out)
    if pending:
        yield pending if inside else "\n"


def _decoded_chunks(path: Path, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)


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
    encoding = _byte_order(path, encoding) if encoding else detect_encoding(path)
    if pinned and (bad := _bad_byte(path, encoding)) is not None:
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
                chunks = _decoded_chunks(path, encoding)
                for text in _one_kind_of_line_break(chunks) if breaks.mixed else chunks:
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


# ----------------------------------------------------------------------------- report title blocks and footers

# Texts Salesforce writes below a report's rows (and in the title block above them).
SALESFORCE_FOOTER = re.compile(
    r"^(Confidential Information - Do Not Distribute|Copyright \(c\) \d{4}-\d{4} salesforce\.com.*"
    r"|Generated By:.*)$",
    re.IGNORECASE,
)
DELIMITERS = (",", ";", "\t", "|")
LAYOUT_LINES = 20  # a title block is at most this many lines


@dataclass(frozen=True)
class Layout:
    title_lines: int = 0
    title_text: str = ""
    footer_lines: int = 0
    footer_offset: int = 0  # byte offset where the footer starts (the body is the bytes before it)
    last_data_line: int = 0
    footer_text: str = ""


def _fields(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line]


def _delimiter_of(line: str) -> str:
    return max(DELIMITERS, key=lambda d: len(_fields(line, d)))


def _is_blank(fields: list[str]) -> bool:
    return all(not f.strip() for f in fields)


def _is_note(line: str, delimiter: str) -> bool:
    """A line that is one value (no delimiter outside quotes), fully quoted or without quotes: a title or
    footer line of a report, never a record of a file with several columns."""
    fields = _fields(line, delimiter)
    stripped = line.strip()
    if len(fields) != 1 or not stripped:
        return False
    return re.fullmatch(r'"(?:[^"]|"")*"', stripped) is not None or '"' not in stripped


def report_layout(path: Path, delimiter: str | None = None, title: bool = True, balanced: bool = True) -> Layout:
    """A report's title block above the header and footer below the last row, in a UTF-8 file.

    Title block: up to LAYOUT_LINES lines that are each one value or blank, the last of them blank, before a
    header of several columns (``"Opportunity Report"``, ``"Generated By: …"``, blank). Footer: after the
    last line of several fields, a run of lines that are each one value or blank, which starts with a blank
    line or holds a known Salesforce footer text (``Confidential Information - Do Not Distribute``,
    ``Copyright (c) 2000-2026 salesforce.com, inc. …``). A run with an odd number of quotes, or any quote
    imbalance in the file, is never a footer: it may be the end of a multi-line quoted value.
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")
        size = handle.seek(0, 2)
        handle.seek(max(0, size - SNIFF_BYTES))
        tail_bytes = handle.read()
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", head)[:LAYOUT_LINES]
    found: dict[str, object] = {}
    header_at = 0
    if title and lines:
        for index, line in enumerate(lines):
            if len(_fields(line.rstrip("\r\n"), delimiter or _delimiter_of(line))) > 1:
                header_at = index
                break
        before = [line.rstrip("\r\n") for line in lines[:header_at]]
        sep = delimiter or _delimiter_of(lines[header_at])
        if before and not before[-1].strip() and all(not b.strip() or _is_note(b, sep) for b in before):
            found |= {
                "title_lines": header_at,
                "title_text": " / ".join(b.strip().strip('"') for b in before if b.strip()),
            }
        else:
            header_at = 0
    if not lines or not balanced:
        return Layout(**found)  # type: ignore[arg-type]
    sep = delimiter or _delimiter_of(lines[header_at])
    columns = len(_fields(lines[header_at].rstrip("\r\n"), sep))
    if columns < 2:
        return Layout(**found)  # type: ignore[arg-type]
    # the tail as lines with their byte lengths; the first (maybe partial) line is only a boundary
    raw_lines = re.findall(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", tail_bytes)
    run: list[tuple[str, int]] = []
    for raw in reversed(raw_lines[1:] if size > SNIFF_BYTES else raw_lines):
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        fields = _fields(text, sep)
        if (_is_blank(fields) and len(fields) < columns) or _is_note(text, sep):
            run.append((text, len(raw)))
            continue
        break
    else:
        return Layout(**found)  # type: ignore[arg-type]  # nothing but notes: not a report body
    run.reverse()
    notes = [t.strip().strip('"') for t, _ in run if t.strip() and not _is_blank(_fields(t, sep))]
    if not notes:
        return Layout(**found)  # type: ignore[arg-type]  # blank lines at the end: the reader skips them
    starts_blank = _is_blank(_fields(run[0][0], sep))
    known = any(SALESFORCE_FOOTER.match(n) for n in notes)
    if not (starts_blank or known) or sum(t.count('"') for t, _ in run) % 2:
        return Layout(**found)  # type: ignore[arg-type]
    footer_offset = size - sum(n for _, n in run)
    return Layout(
        **found,  # type: ignore[arg-type]
        footer_lines=len(run),
        footer_offset=footer_offset,
        last_data_line=_count_lines(path, footer_offset),
        footer_text=" / ".join(notes),
    )


def _count_lines(path: Path, size: int) -> int:
    """Lines in the first ``size`` bytes, ended by LF, CRLF or CR (a final line without a break counts)."""
    count, left, previous, last = 0, size, b"", b"\n"
    with path.open("rb") as handle:
        while left > 0 and (chunk := handle.read(min(CHUNK, left))):
            joined = previous + chunk
            count += chunk.count(b"\n") + chunk.count(b"\r") - joined.count(b"\r\n")
            left -= len(chunk)
            previous, last = chunk[-1:], chunk[-1:]
    return count + (last not in (b"\n", b"\r"))


def header_fields(path: Path) -> list[str]:
    """The header's values (after a report title block), for recognising a file; [] when it cannot be read."""
    try:
        encoding = detect_encoding(path)
        with path.open(encoding=encoding, errors="replace", newline="") as handle:
            head = handle.read(SNIFF_BYTES)
    except (FileRejected, OSError):
        return []
    lines = [line for line in re.split(r"\r\n|\r|\n", head.lstrip("\ufeff"))[:LAYOUT_LINES]]
    first = next((i for i, line in enumerate(lines) if len(_fields(line, _delimiter_of(line))) > 1), 0)
    before = lines[:first]
    line = lines[first] if lines else ""
    sep = _delimiter_of(line)
    if not (before and not before[-1].strip() and all(not b.strip() or _is_note(b, sep) for b in before)):
        line = lines[0] if lines else ""
        sep = _delimiter_of(line)
    return [h.strip() for h in _fields(line, sep)]


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
