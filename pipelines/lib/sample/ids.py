"""Realistic 18-character Salesforce ids: key prefix + pod + base62 counter + case-checksum suffix.

Downstream code must treat ids as opaque case-sensitive text; using the real shape (and the real 3-char
checksum, so the 15-char form is recoverable) keeps the sample honest about that.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

PREFIX = {
    "Account": "001",
    "User": "005",
    "Lead": "00Q",
    "Opportunity": "006",
    "OpportunityLineItem": "00k",
    "Product2": "01t",
    "OpportunityHistory": "008",
    "Campaign": "701",
    "Period": "026",
    "ForecastingQuota": "0J9",
    "PricebookEntry": "01u",
    "FiscalYearSettings": "022",
    "ForecastingType": "0Db",
    "CurrencyType": "02B",
    "DatedConversionRate": "04w",
}
POD = "5g000"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECK = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_LO = 62**3  # the three low digits come from one precomputed table
# Counters start high enough that ids look like production ones (…5g00000Ab…) rather than …0000001.
_START = 36 * 62**4 + 9 * 62**3


@lru_cache(maxsize=64)
def _start(head: str) -> int:
    """Where an object's counter starts: fixed per object, so ids of different objects do not line up."""
    return _START + int.from_bytes(head.encode(), "little") % 50_000 * 997 % 62**4


def _chars(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


_A = _chars(ALPHABET)
_C = _chars(_CHECK)


def _upper(digit: np.ndarray) -> np.ndarray:
    return ((digit >= 10) & (digit < 36)).astype(np.int64)


@lru_cache(maxsize=1)
def _low_table() -> tuple[np.ndarray, np.ndarray]:
    """Chars and checksum bits (positions 12-14, bits 2-4 of the last group) of every 3-digit tail."""
    x = np.arange(_LO, dtype=np.int64)
    digits = [(x // 62**k) % 62 for k in (2, 1, 0)]
    chars = np.stack([_A[d] for d in digits], axis=1)
    bits = (_upper(digits[0]) << 2) | (_upper(digits[1]) << 3) | (_upper(digits[2]) << 4)
    return chars, bits


def sfid(obj: str, index: np.ndarray) -> np.ndarray:
    """Ids (numpy unicode array) for records ``index`` (0-based, non-negative ints) of object ``obj``."""
    head = PREFIX[obj] + POD
    x = np.asarray(index, dtype=np.int64) + _start(head)
    n = len(x)
    out = np.empty((n, 18), dtype=np.uint32)
    if n == 0:
        return out.view("U18").ravel()
    hi, lo = np.divmod(x, _LO)
    base = int(hi.min())
    span = np.arange(base, int(hi.max()) + 1, dtype=np.int64)  # small: indices come in runs
    hd = [(span // 62**k) % 62 for k in (3, 2, 1, 0)]  # positions 8, 9, 10, 11
    hi_chars = np.stack([_A[d] for d in hd], axis=1)
    head_upper = [c.isupper() for c in head]
    g0 = sum(1 << i for i in range(5) if head_upper[i])
    g1 = sum(1 << (i - 5) for i in range(5, 8) if head_upper[i]) | (_upper(hd[0]) << 3) | (_upper(hd[1]) << 4)
    g2_hi = _upper(hd[2]) | (_upper(hd[3]) << 1)
    lo_chars, lo_bits = _low_table()
    rel = hi - base
    out[:, :8] = _chars(head)
    out[:, 8:12] = hi_chars[rel]
    out[:, 12:15] = lo_chars[lo]
    out[:, 15] = _C[g0]
    out[:, 16] = _C[g1[rel]]
    out[:, 17] = _C[g2_hi[rel] | lo_bits[lo]]
    return out.view("U18").ravel()


def sfid_range(obj: str, start: int, count: int) -> np.ndarray:
    """Ids of records start .. start + count - 1, as Python strings ready for a DataFrame."""
    return sfid(obj, np.arange(start, start + count, dtype=np.int64)).astype(object)


def checksum(id15: str) -> str:
    """Salesforce's 3-char suffix for a 15-char id (reference implementation, used by the tests)."""
    suffix = ""
    for group in range(3):
        flags = sum(1 << i for i, ch in enumerate(id15[group * 5 : group * 5 + 5]) if "A" <= ch <= "Z")
        suffix += _CHECK[flags]
    return suffix
