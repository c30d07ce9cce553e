"""Opportunities of one chunk: who, when, what, and how each ends.

Every draw is keyed by the opportunity's global index (see rand.py), and the only state carried between
chunks is what accounts.py keeps, so a chunk's rows do not depend on the chunk size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.lib.sample import model
from pipelines.lib.sample.accounts import Accounts, AccountState
from pipelines.lib.sample.campaigns import Campaigns
from pipelines.lib.sample.catalog import Catalog
from pipelines.lib.sample.lines import Lines, build_lines
from pipelines.lib.sample.people import Reps
from pipelines.lib.sample.rand import Draws, pick
from pipelines.lib.sample.timeline import DAY, Span, created_seconds, quarter_end

P_CAMPAIGN = 0.33
P_STALL, STALL_WINDOW_DAYS = 0.08, 400  # deals that stop moving and never close (stale, often overdue)
BASE_WIN = 0.26


@dataclass(frozen=True)
class World:
    """Everything that stays fixed across chunks."""

    span: Span
    cdf: np.ndarray
    scale: int
    draws: Draws
    reps: Reps
    catalog: Catalog
    campaigns: Campaigns
    accounts: Accounts
    currencies: tuple[str, ...] = ()  # besides USD (--currencies): pipelines/lib/sample/currencies.py


@dataclass(frozen=True)
class Deals:
    """Per-deal arrays of one chunk (row i is opportunity idx[i])."""

    idx: np.ndarray
    created_s: np.ndarray
    account: np.ndarray
    is_new: np.ndarray
    segment: np.ndarray
    owner: np.ndarray
    source: np.ndarray  # index into model.SOURCE_NAMES, BLANK_SOURCE for none
    campaign: np.ndarray  # -1 for none
    lines: Lines
    won: np.ndarray  # the planned outcome (open deals have one too, not yet reached)
    lost_at: np.ndarray
    planned_close: np.ndarray  # created + cycle, before any quarter-end push
    close_day: np.ndarray
    closed: np.ndarray
    stalled: np.ndarray
    expected_close: np.ndarray  # CloseDate as exported: the close day, or the rep's estimate for open deals

    @property
    def created_day(self) -> np.ndarray:
        return self.created_s // DAY


def build_deals(w: World, state: AccountState, lo: int, hi: int) -> Deals:
    """Draw opportunities lo..hi-1: account, owner, source, campaign, lines, outcome and dates."""
    d, span = w.draws, w.span
    idx = np.arange(lo, hi, dtype=np.int64)
    created = created_seconds(span, w.cdf, idx, w.scale, d.u("created", idx))
    account, is_new = w.accounts.assign(idx, created, state)
    segment = w.accounts.segment(account)
    pool = w.accounts.pool(account, segment)
    owner = w.reps.pick(lambda r, rows: d.u("owner", idx[rows], r), pool, created)
    day = created // DAY
    campaign = _campaign(w, idx, day - span.start_day)
    source = d.choice("source", idx, model.SOURCE_WEIGHTS)
    from_campaign = (campaign >= 0) & (d.u("source_campaign", idx) < 0.85)
    source = np.where(from_campaign, model.CHANNEL_SOURCE[w.campaigns.channel[campaign]], source)
    source = np.where(d.u("source_blank", idx) < model.BLANK_SOURCE_SHARE, model.BLANK_SOURCE, source)
    skill = w.reps.skill[owner]
    lines = build_lines(d, idx, segment, skill, w.catalog)

    p_win = BASE_WIN * skill**0.8 * model.SOURCE_WIN[source] * model.SEGMENT_WIN[segment]
    p_win = np.clip(p_win * np.where(is_new, 0.85, 1.12), 0.02, 0.9)
    won = d.u("won", idx) < p_win
    lost_at = pick(d.u("lost_at", idx), model.LOST_AT)
    dollars = lines.amount_cents / 100
    cycle = np.clip((12 + 30 * np.log1p(dollars / 4000)) * d.lognormal("cycle", idx, 0.35), 10, 180)
    cycle = np.where(won, cycle, np.maximum(5, cycle * (0.25 + 0.75 * (lost_at + 1) / 8))).astype(np.int64)
    planned = day + cycle
    close = _quarter_end_push(d, idx, day, planned, won)
    stalled = (day >= span.end_day - STALL_WINDOW_DAYS) & (d.u("stalled", idx) < P_STALL)
    closed = (close <= span.end_day) & ~stalled
    slipped = d.u("slip", idx) < 0.25
    estimate = day + np.ceil(cycle * (0.3 + 0.6 * d.u("slip", idx, 1))).astype(np.int64)
    return Deals(
        idx=idx,
        created_s=created,
        account=account,
        is_new=is_new,
        segment=segment,
        owner=owner,
        source=source,
        campaign=campaign,
        lines=lines,
        won=won,
        lost_at=lost_at,
        planned_close=planned,
        close_day=close,
        closed=closed,
        stalled=stalled,
        expected_close=np.where(closed | ~slipped, close, estimate),
    )


def _campaign(w: World, idx: np.ndarray, day_index: np.ndarray) -> np.ndarray:
    """A campaign running on the creation day for ~30 % of deals (none when nothing runs)."""
    d, cat = w.draws, w.campaigns
    count = cat.active_count[day_index]
    slot = np.minimum((d.u("campaign_pick", idx) * count).astype(np.int64), np.maximum(count - 1, 0))
    chosen = cat.active_by_day[day_index, slot]
    return np.where((d.u("campaign", idx) < P_CAMPAIGN) & (count > 0), chosen, -1)


def _quarter_end_push(d: Draws, idx: np.ndarray, day: np.ndarray, planned: np.ndarray, won: np.ndarray) -> np.ndarray:
    """Reps pull wins into the last week of the quarter (harder in Q4): quarter-end and December peaks."""
    qe = quarter_end(planned)
    q4 = (qe.astype("M8[D]").astype("M8[M]").astype(np.int64) % 12) == 11
    p = np.where(won, np.where(q4, 0.5, 0.35), 0.1)
    push = (d.u("push", idx) < p) & (qe - planned <= 35) & (qe - day <= 180)
    target = qe - (d.u("push", idx, 1) * 7).astype(np.int64)
    return np.where(push, np.maximum(planned, target), planned)
