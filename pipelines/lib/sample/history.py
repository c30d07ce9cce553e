"""Stage history: when each deal entered each stage, and so where it stands at the end date.

A deal walks Prospecting -> ... -> Negotiation/Review, skipping some stages, then Closed Won or Closed Lost
(lost deals drop out at the stage they reached). Entry times are spread between creation and close; only
entries up to the end date exist, which makes open deals' current stage, stale deals (stuck for weeks) and
LastStageChangeDate fall out of the same timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.sample import model
from pipelines.lib.sample.deals import Deals
from pipelines.lib.sample.ids import sfid_range
from pipelines.lib.sample.rand import Draws
from pipelines.lib.sample.timeline import DAY, Span

SLOTS = model.OPEN_STAGES + 1  # the eight open stages, then the closing one


@dataclass(frozen=True)
class Timeline:
    """Stage entries of one chunk, one row per deal and one column per stage slot."""

    emitted: np.ndarray  # (n, SLOTS) stage entries that happened by the end date
    entry_s: np.ndarray  # (n, SLOTS)
    stage: np.ndarray  # (n, SLOTS) stage index of each slot
    current: np.ndarray  # stage at the end date (final stage for closed deals)
    last_change_s: np.ndarray


def build_timeline(d: Draws, deals: Deals, span: Span) -> Timeline:
    """Which stages each deal entered and when, truncated at the end date (and where stalled deals stopped)."""
    idx, won, n = deals.idx, deals.won, len(deals.idx)
    reach = np.where(won, model.OPEN_STAGES - 1, deals.lost_at)
    visited = np.zeros((n, SLOTS), dtype=bool)
    visited[:, 0] = True
    for k in range(1, model.OPEN_STAGES):
        keep = d.u("hist_keep", idx, k) < np.where(won & (k == reach), 0.85, 0.4)
        visited[:, k] = np.where(k < reach, keep, (k == reach) & (keep | ~won))
    visited[:, -1] = True
    steps = np.empty((n, SLOTS))
    steps[:, 0] = 0.0
    for k in range(1, SLOTS):
        steps[:, k] = np.where(visited[:, k], 0.2 - np.log1p(-d.u("hist_step", idx, k)), 0.0)
    frac = np.cumsum(steps, axis=1)
    frac /= frac[:, -1:]
    tod = (9 * 3600 + d.u("close_time", idx) * 9 * 3600).astype(np.int64)
    close_s = np.maximum(deals.close_day * DAY + tod, deals.created_s + 60)
    entry = deals.created_s[:, None] + (frac * (close_s - deals.created_s)[:, None]).astype(np.int64)
    stall_at = 0.1 + 0.6 * d.u("stall_at", idx)
    emitted = visited & (entry <= span.end_s) & ~(deals.stalled[:, None] & (frac > stall_at[:, None]))
    stage = np.broadcast_to(np.arange(SLOTS), (n, SLOTS)).copy()
    stage[:, -1] = np.where(won, model.WON, model.LOST)
    last = SLOTS - 1 - np.argmax(emitted[:, ::-1], axis=1)
    rows = np.arange(n)
    return Timeline(emitted, entry, stage, stage[rows, last], entry[rows, last])


def history_frame(
    d: Draws,
    deals: Deals,
    tl: Timeline,
    opp_ids: np.ndarray,
    owner_ids: np.ndarray,
    amount_cents: np.ndarray,
    start: int,
) -> pd.DataFrame:
    """One row per stage entry, in deal then time order; Amount/CloseDate as they stood at that moment."""
    rows, slots = np.nonzero(tl.emitted)
    stage = tl.stage[rows, slots]
    first = slots == 0
    estimate = np.round(amount_cents[rows] * (0.6 + 0.8 * d.u("hist_estimate", deals.idx[rows])) / 100_000).clip(
        1, None
    )
    amount = np.where(first & (tl.emitted.sum(axis=1)[rows] > 1), estimate * 100_000, amount_cents[rows])
    final = slots == SLOTS - 1
    close = np.where(
        final,
        deals.close_day[rows],
        np.where(deals.closed[rows], deals.planned_close[rows], deals.expected_close[rows]),
    )
    return pd.DataFrame(
        copy=False,
        data={
            "Id": sfid_range("OpportunityHistory", start, len(rows)),
            "OpportunityId": opp_ids[rows],
            "StageName": pd.Categorical.from_codes(stage, model.STAGES),
            "Amount": amount,
            "Probability": model.PROBABILITY[stage],
            "CloseDate": close,
            "ForecastCategory": pd.Categorical.from_codes(model.FORECAST_CODE[stage], model.FORECAST_API),
            "CreatedById": owner_ids[rows],
            "CreatedDate": tl.entry_s[rows, slots],
        },
    )
