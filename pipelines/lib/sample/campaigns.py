"""Marketing campaigns (Campaign): 40-80 over the span, Type = channel.

Campaigns overlap, cross month boundaries (spend is spread over their days downstream) and include planned
ones after the end date. Budgets scale with the export so ROI and CAC stay in a believable range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.sample import model
from pipelines.lib.sample.ids import sfid
from pipelines.lib.sample.timeline import DAY, Span

_THEMES = (
    "Spring Launch|Customer Summit|Analytics Deep Dive|Year-End Push|Security Week|Partner Days|Product Tour|"
    "Cloud Migration|Retail Focus|Healthcare Forum|SMB Starter"
).split("|")
_DAYS = {
    "Email": (7, 31),
    "Webinar": (1, 21),
    "Paid Search": (30, 121),
    "Social Media": (14, 91),
    "Trade Show": (2, 5),
    "Partner": (60, 121),
    "Content": (30, 91),
}


@dataclass(frozen=True)
class Campaigns:
    """Campaign rows plus the per-day lookup deals use to pick a campaign running when they are created."""

    ids: np.ndarray
    channel: np.ndarray  # index into model.CHANNELS
    active_by_day: np.ndarray  # (span day, k) campaigns running that day, -1 padded
    active_count: np.ndarray
    frame: pd.DataFrame


def build_campaigns(scale: int, seed: int, span: Span) -> Campaigns:
    """Draw the campaigns for this seed (a sequential rng is fine: the table is small and built once)."""
    rng = np.random.default_rng([seed, 103])
    count = int(rng.integers(40, 81))
    channel = rng.choice(len(model.CHANNELS), size=count, p=[0.2, 0.18, 0.15, 0.12, 0.1, 0.1, 0.15])
    start = np.sort(rng.integers(span.start_day - 30, span.end_day + 45, count))
    length = np.array([rng.integers(*_DAYS[model.CHANNELS[c][0]]) for c in channel])
    end = start + length - 1
    cost_factor = np.array([model.CHANNELS[c][1] for c in channel])
    budget = np.round(scale * 12 * cost_factor * np.exp(rng.normal(0, 0.4, count)) / 100) * 10_000
    status = np.where(end < span.end_day, "Completed", np.where(start > span.end_day, "Planned", "In Progress"))
    elapsed = np.clip((span.end_day - start + 1) / length, 0, 1)
    actual = np.round(budget * np.where(status == "Completed", rng.uniform(0.75, 1.15, count), elapsed))
    actual = np.where(status == "Planned", np.nan, actual)
    created = (start - rng.integers(7, 60, count)) * DAY + rng.integers(8, 18, count) * 3600
    years = start.astype("M8[D]").astype("M8[Y]").astype(np.int64) + 1970
    quarters = start.astype("M8[D]").astype("M8[M]").astype(np.int64) % 12 // 3 + 1
    themes = rng.integers(len(_THEMES), size=count)
    ids = sfid("Campaign", np.arange(count)).astype(object)
    frame = pd.DataFrame(
        {
            "Id": ids,
            "Name": [
                f"{y} Q{q} {model.CHANNELS[c][0]} - {_THEMES[t]}"
                for y, q, c, t in zip(years, quarters, channel, themes, strict=True)
            ],
            "Type": [model.CHANNELS[c][0] for c in channel],
            "Status": status,
            "StartDate": start,
            "EndDate": end,
            "BudgetedCost": budget,
            "ActualCost": actual,
            "IsActive": status != "Completed",
            "CreatedDate": np.minimum(created, span.end_s - 3600),
        }
    )
    days = np.arange(span.start_day, span.end_day + 1)
    running = (start[None, :] <= days[:, None]) & (days[:, None] <= end[None, :])
    n_active = running.sum(axis=1)
    width = max(1, int(n_active.max()))
    order = np.argsort(~running, axis=1, kind="stable")[:, :width]
    by_day = np.where(np.arange(width)[None, :] < n_active[:, None], order, -1)
    return Campaigns(ids, channel, by_day, n_active, frame)
