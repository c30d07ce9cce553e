"""How an export writes what is not a value's digits: null tokens, currencies, grouping spaces and apostrophes."""

from __future__ import annotations

NULL_TOKENS: tuple[str, ...] = ("", "NULL", "null", "#N/A", "N/A", "-", "na", "NA", "n/a")
CURRENCY_CODES: tuple[str, ...] = ("USD", "EUR", "GBP", "JPY", "CHF")
CURRENCY_SYMBOLS = "$€£¥"
SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
APOSTROPHES = "'\u2019"
