"""Which built-in source a header line belongs to."""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class _Recognisable(Protocol):
    recognise: Mapping[str, Sequence[str]] | None


def header_key(header: str) -> str:
    """A header as recognition compares it: trimmed, quotes and BOM off, case-folded."""
    return header.lstrip(codecs.BOM_UTF8.decode()).strip().strip('"').strip().casefold()


def recognise(headers: Sequence[str], mappings: Sequence[_Recognisable]) -> tuple[Any, str] | None:
    """The (mapping, file key) whose ``recognise`` headers all appear in ``headers`` (case-insensitive,
    trimmed, BOM-tolerant); the one requiring the most headers wins, so a specific shape beats a loose one."""
    present = {header_key(h) for h in headers}
    best: tuple[int, Any, str] | None = None
    for mapping in mappings:
        for key, wanted in (getattr(mapping, "recognise", None) or {}).items():
            needed = {header_key(h) for h in wanted}
            if needed and needed <= present and (best is None or len(needed) > best[0]):
                best = (len(needed), mapping, key)
    return (best[1], best[2]) if best else None


def resemblance(headers: Sequence[str], mappings: Sequence[_Recognisable]) -> tuple[Any, str, list[str]] | None:
    """For a header no built-in recognises: the (mapping, file key, missing headers) it comes closest to, when it
    has at least half of that shape's ``recognise`` headers and three or more (an export with a column left out)."""
    present = {header_key(h) for h in headers}
    best: tuple[float, int, Any, str, list[str]] | None = None
    for mapping in mappings:
        for key, wanted in (getattr(mapping, "recognise", None) or {}).items():
            found = [h for h in wanted if header_key(h) in present]
            score = (len(found) / len(wanted) if wanted else 0.0, len(found))
            if len(found) >= 3 and score[0] >= 0.5 and (best is None or score > best[:2]):
                best = (*score, mapping, key, [h for h in wanted if header_key(h) not in present])
    return (best[2], best[3], best[4]) if best else None
