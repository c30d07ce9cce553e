"""How numbers are written in an export, detected from a sample of text values.

Numbers: the decimal separator is the one that appears last in a value with both ``.`` and ``,`` (``1.234,56`` /
``1,234.56``), or the only one when it is not followed by exactly three digits (``12,5``). A single separator
followed by exactly three digits (``1,234`` or ``1.234``; not ``0.125``, whose leading zero groups no thousands) is
ambiguous; on its own it is read the English way (point = decimal, comma = thousands), except that a mapped file
whose only such values are ``1.234`` is refused (mapping/undecided.py). Spaces, no-break spaces and apostrophes are
always thousands separators; ``$ € £ ¥`` and ``USD EUR GBP JPY CHF`` before or after the number and a trailing
``%`` are dropped; ``(1,234.00)``, ``-1234`` and ``1234-`` are negative. A value that is none of these (``12
apples``, ``1,2,3``) becomes NULL in ``num`` so the audit can quarantine it. Scientific notation's exponent
(``1.03444E11``) is left out when the separators are detected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.lib.ingest.tokens import APOSTROPHES, CURRENCY_CODES, CURRENCY_SYMBOLS, NULL_TOKENS, SPACES


@dataclass(frozen=True)
class NumberFormat:
    decimal: str = "."
    thousands: str | None = None


_STRIP = re.compile("(?i)" + "|".join(CURRENCY_CODES) + "|[" + CURRENCY_SYMBOLS + SPACES + APOSTROPHES + "%]")
_SIGNS = re.compile(r"^\(|\)$|^[+-]|-$")
_THOUSANDS_SEEN = re.compile(r"\d[" + SPACES + APOSTROPHES + r"]\d{3}(?!\d)")


_EXPONENT = re.compile(r"(?<=\d)[eE][+-]?\d+$")


def _number_core(value: str) -> str:
    """The digits and separators of a number: no currency, sign or exponent (1.03444E11 → 1.03444)."""
    return _EXPONENT.sub("", _SIGNS.sub("", _STRIP.sub("", value.strip())))


def tally(samples: Sequence[str]) -> tuple[dict[str, int], dict[str, int], dict[str, list[str]]]:
    """Votes for each decimal separator, counts of each thousands separator, and the ambiguous values (a single
    separator followed by exactly three digits, ``1.500`` / ``1,500``) by separator."""
    votes = {".": 0, ",": 0}
    thousands: dict[str, int] = {}
    ambiguous: dict[str, list[str]] = {}
    for raw in samples:
        if raw is None or raw.strip() in NULL_TOKENS:
            continue
        if match := _THOUSANDS_SEEN.search(raw):
            thousands[match.group(0)[1]] = thousands.get(match.group(0)[1], 0) + 1
        core = _number_core(raw)
        if not re.fullmatch(r"[\d.,]*\d[\d.,]*", core):
            continue
        dots, commas = core.count("."), core.count(",")
        if dots and commas:
            decimal = "." if core.rfind(".") > core.rfind(",") else ","
            votes[decimal] += 1
            other = "," if decimal == "." else "."
            thousands[other] = thousands.get(other, 0) + 1
        elif dots or commas:
            sep = "." if dots else ","
            if dots + commas > 1:  # 1.234.567 or 1,234,567: only a thousands separator repeats
                other = "," if sep == "." else "."
                votes[other] += 1
                thousands[sep] = thousands.get(sep, 0) + 1
            elif re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", core):  # 0.125 groups no thousands: its decimal shows
                ambiguous.setdefault(sep, []).append(raw.strip())
            else:
                votes[sep] += 1
    return votes, thousands, ambiguous


def detect_number_format(samples: Sequence[str]) -> NumberFormat:
    """The decimal and thousands separators the samples use (see the module docstring for the rules)."""
    votes, thousands, ambiguous = tally(samples)
    # Only 1,234 / 1.234 seen (or a tie): the English reading, point decimal and comma thousands.
    decimal = "," if votes[","] > votes["."] else "."
    if decimal == "," and "." in ambiguous:
        thousands["."] = thousands.get(".", 0) + 1
    if decimal == "." and "," in ambiguous:
        thousands[","] = thousands.get(",", 0) + 1
    thousands.pop(decimal, None)
    chosen = max(thousands, key=lambda k: thousands[k]) if thousands else None
    if chosen and chosen in SPACES:
        chosen = " "
    elif chosen and chosen in APOSTROPHES:
        chosen = "'"
    return NumberFormat(decimal=decimal, thousands=chosen)
