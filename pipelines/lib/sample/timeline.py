"""The three years the sample covers, as integer days and seconds since 1970-01-01 (UTC).

Integers keep the chunked generation vectorised and exact; the writer turns them into ISO text at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from pipelines.lib.sample import model

DAY = 86_400
_EPOCH = date(1970, 1, 1)


def to_days(d: date) -> int:
    """Days since 1970-01-01."""
    return (d - _EPOCH).days


def month_start(days: np.ndarray) -> np.ndarray:
    """First day of the month of each day."""
    return np.asarray(days).astype("M8[D]").astype("M8[M]").astype("M8[D]").astype(np.int64)


def month_number(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 (so month arithmetic is integer arithmetic)."""
    return np.asarray(days).astype("M8[D]").astype("M8[M]").astype(np.int64)


def month_to_day(months: np.ndarray) -> np.ndarray:
    """First day (days since 1970) of months given as months since 1970-01."""
    return np.asarray(months).astype("M8[M]").astype("M8[D]").astype(np.int64)


def quarter_end(days: np.ndarray) -> np.ndarray:
    """Last day of the calendar quarter of each day."""
    m = month_number(days)
    return month_to_day(m - m % 3 + 3) - 1


@dataclass(frozen=True)
class Span:
    """Opportunities are created from start_day to end_day inclusive (three years up to the end date)."""

    start_day: int
    end_day: int

    @property
    def start_s(self) -> int:
        return self.start_day * DAY

    @property
    def end_s(self) -> int:
        """The last second of end_day: nothing is created or closed after it."""
        return (self.end_day + 1) * DAY - 1

    @property
    def n_days(self) -> int:
        return self.end_day - self.start_day + 1

    @property
    def first_month(self) -> int:
        return int(month_number(np.array([self.start_day]))[0])

    @property
    def last_month(self) -> int:
        return int(month_number(np.array([self.end_day]))[0])

    def creation_cdf(self) -> np.ndarray:
        """Cumulative share of deals created by the start of each day: growth, summer dip, weekends."""
        days = np.arange(self.start_day, self.end_day + 1)
        years = (days - self.start_day) / 365.25
        months = month_number(days) % 12
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
        weight = (1 + model.YEARLY_GROWTH) ** years * model.MONTH_FACTOR[months] * model.WEEKDAY_FACTOR[weekday]
        cdf = np.concatenate([[0.0], np.cumsum(weight)])
        return cdf / cdf[-1]


def make_span(end_date: date) -> Span:
    """Three years up to and including end_date (29 February falls back to the 28th)."""
    try:
        start = end_date.replace(year=end_date.year - 3)
    except ValueError:  # 29 February
        start = end_date.replace(year=end_date.year - 3, day=28)
    return Span(start_day=to_days(start) + 1, end_day=to_days(end_date))


def created_seconds(span: Span, cdf: np.ndarray, idx: np.ndarray, scale: int, u: np.ndarray) -> np.ndarray:
    """Creation time of opportunity ``idx``: non-decreasing in idx, so "first deal" means "lowest index".

    Each index owns the quantile slice [idx, idx + 1) / scale of the year's creation curve, and a working
    hour (07:00-19:00 UTC) in proportion to where it falls inside its day.
    """
    q = (idx + u) / scale
    day = np.minimum(np.searchsorted(cdf, q, side="right") - 1, span.n_days - 1)
    within = (q - cdf[day]) / np.maximum(cdf[day + 1] - cdf[day], 1e-300)
    seconds = 7 * 3600 + np.clip(within, 0.0, 1.0 - 1e-9) * 12 * 3600
    return (span.start_day + day) * DAY + seconds.astype(np.int64)
