"""A file's line breaks (LF, CRLF, CR) and how to read one that mixes them as one kind."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.ingest.files import CHUNK


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


def one_kind_of_line_break(chunks: Iterator[str]) -> Iterator[str]:
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


def decoded_chunks(path: Path, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)
