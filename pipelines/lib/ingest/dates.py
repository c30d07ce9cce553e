"""How dates are written in an export, detected from a sample of text values.


Dates: ISO dates and datetimes (``T`` or space, fractional seconds, ``Z`` or an offset: converted to
UTC) are always understood. Otherwise one of M/D/YYYY, D/M/YYYY, DD.MM.YYYY, YYYY/MM/DD, each with an
optional ``H:MM[:SS]`` and ``AM/PM``. Slash dates whose values never exceed 12 in either position are
ambiguous and read as M/D/YYYY: slash dates come overwhelmingly from US-locale CRM exports (Salesforce,
HubSpot), and European Excel writes DD.MM.YYYY; pin ``date_format: "%d/%m/%Y"`` otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from pipelines.lib.ingest.tokens import NULL_TOKENS

_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p")
_DATE_BASES = ("%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?")
_DATEISH = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}([T ].*)?")


def date_family(date_format: str) -> list[str]:
    """The pinned or detected format first, then the same date order with and without a time of day."""
    for base in _DATE_BASES:
        if date_format.startswith(base):
            return [date_format] + [base + t for t in _TIMES if base + t != date_format]
    return [date_format]


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def detect_date_format(samples: Sequence[str]) -> str | None:
    """A strptime format for the samples, ``"ISO"`` for ISO-8601 text, or None when they are not dates.

    A format is chosen when it parses at least half of the non-null samples; the ISO check comes first
    (it is unambiguous). M/D versus D/M is decided by values above 12; all ambiguous → M/D (docstring).
    """
    values = [s.strip() for s in samples if s is not None and s.strip() not in NULL_TOKENS]
    values = [v for v in values if _DATEISH.fullmatch(v)]
    if not values:
        return None
    if sum(bool(_ISO.fullmatch(v)) for v in values) * 2 >= len(values):
        return "ISO"
    best, best_count = None, 0
    for base in _DATE_BASES:
        for suffix in _TIMES:
            fmt = base + suffix
            count = sum(_parses(v, fmt) for v in values)
            if count > best_count:
                best, best_count = fmt, count
    if best is None:
        return None
    # Several formats of the family may parse; count a family (all time variants) for the decision.
    family_counts = {base: sum(any(_parses(v, base + t) for t in _TIMES) for v in values) for base in _DATE_BASES}
    top = max(family_counts.values())
    if top * 2 < len(values):
        return None
    base = next(b for b in _DATE_BASES if family_counts[b] == top)  # M/D before D/M on a tie
    with_time = [t for t in _TIMES if any(_parses(v, base + t) for v in values)]
    most = max(with_time, key=lambda t: sum(_parses(v, base + t) for v in values))
    return base + most
