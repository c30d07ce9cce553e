"""A multi-currency org (``salesmetrics sample --currencies EUR,GBP``): deals in several currencies and the rates.

The corporate currency is USD. Each deal is in USD or one of the given currencies (an even draw per deal from
its own stream, so the other columns are the same bytes as a single-currency sample); its amounts and line prices
are in that currency. CurrencyType carries each currency's static rate, DatedConversionRate one rate per
calendar quarter of the span (a seeded drift around the static rate), both in units per USD, as Salesforce
exports them. Without currencies nothing here is written and the deals carry USD, as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.lib.sample.ids import sfid
from pipelines.lib.sample.rand import Draws
from pipelines.lib.sample.timeline import Span, month_to_day

CORPORATE = "USD"
# units per USD, roughly: a currency not listed starts at 1.25
STATIC_RATES = {"EUR": 0.92, "GBP": 0.79, "CHF": 0.88, "CAD": 1.36, "AUD": 1.52, "JPY": 150.0, "SEK": 10.5}


def parse_currencies(text: str | None) -> tuple[str, ...]:
    """'EUR, gbp' → ('EUR', 'GBP'): three-letter codes, the corporate currency and repeats left out."""
    codes = [c.strip().upper() for c in (text or "").split(",") if c.strip()]
    bad = [c for c in codes if len(c) != 3 or not c.isalpha()]
    if bad:
        raise ValueError(f"{', '.join(bad)}: not a three-letter ISO 4217 code; write e.g. --currencies EUR,GBP")
    return tuple(dict.fromkeys(c for c in codes if c != CORPORATE))


def deal_currencies(draws: Draws, idx: np.ndarray, currencies: tuple[str, ...]) -> pd.Categorical:
    """Each deal's CurrencyIsoCode: USD, or with currencies an even draw among USD and them."""
    codes = (CORPORATE, *currencies)
    if not currencies:
        return pd.Categorical.from_codes(np.zeros(len(idx), dtype=np.int64), codes)
    pick = (draws.u("currency", idx) * len(codes)).astype(np.int64)
    return pd.Categorical.from_codes(pick, codes)


def currency_types(currencies: tuple[str, ...]) -> pd.DataFrame:
    codes = (CORPORATE, *currencies)
    return pd.DataFrame(
        {
            "Id": sfid("CurrencyType", np.arange(len(codes))).astype(object),
            "IsoCode": list(codes),
            "ConversionRate": [f"{_static(c):.6f}" for c in codes],
            "DecimalPlaces": [0 if c == "JPY" else 2 for c in codes],
            "IsActive": True,
            "IsCorporate": [c == CORPORATE for c in codes],
        }
    )


def dated_rates(span: Span, seed: int, currencies: tuple[str, ...]) -> pd.DataFrame:
    """One rate per currency and calendar quarter from the span's first quarter; the last has no NextStartDate."""
    first = span.first_month - span.first_month % 3
    starts = month_to_day(np.arange(first, span.last_month + 1, 3))
    rng = np.random.default_rng([seed, 311])
    rows = []
    for code in currencies:
        drift = np.cumprod(1 + rng.normal(0, 0.02, len(starts)))
        for i, start in enumerate(starts):
            following = starts[i + 1] if i + 1 < len(starts) else np.nan
            rows.append((code, f"{_static(code) * drift[i]:.6f}", start, following))
    frame = pd.DataFrame(rows, columns=["IsoCode", "ConversionRate", "StartDate", "NextStartDate"])
    frame.insert(0, "Id", sfid("DatedConversionRate", np.arange(len(frame))).astype(object))
    return frame


def _static(code: str) -> float:
    return 1.0 if code == CORPORATE else STATIC_RATES.get(code, 1.25)
