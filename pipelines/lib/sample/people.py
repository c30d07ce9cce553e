"""Sales reps, their managers, regional VPs and a CRO: the User export and the rep pools deals draw from.

Reps sit in pools (team x region). Deals go to an active rep of the pool matching the account's segment and
region, so team and region metrics line up with the accounts; each pool's first rep never leaves, so every
deal finds an owner. Skill (win rate, deal size) differs per rep, and a few reps leave during the span.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.sample import model, vocab
from pipelines.lib.sample.timeline import DAY, Span
from pipelines.lib.sample.users import NEVER, user_frame

REGION_WEIGHTS = np.array([sum(loc[2] for loc in vocab.LOCATIONS if loc[1] == r) for r in range(4)])


@dataclass(frozen=True)
class Reps:
    """Sales reps (index = user index) with the pools deals draw their owner from."""

    team: np.ndarray
    region: np.ndarray
    skill: np.ndarray
    hire_s: np.ndarray
    leave_s: np.ndarray  # NEVER for reps still employed
    pool_members: np.ndarray  # (16, k) rep indices, padded by repeating; empty pools borrow a neighbour's
    pool_size: np.ndarray
    user_ids: np.ndarray  # User Id of every user; reps are users 0 .. n-1
    users: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.team)

    def pick(self, u: Callable[[int, np.ndarray], np.ndarray], pool: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """A rep of ``pool`` employed at ``t_s``; ``u(round, rows)`` gives uniforms, the anchor is the fallback."""
        chosen = self.pool_members[pool, 0]
        pending = np.arange(len(pool))
        for r in range(8):
            p = pool[pending]
            cand = self.pool_members[p, (u(r, pending) * self.pool_size[p]).astype(np.int64)]
            ok = (self.hire_s[cand] <= t_s[pending]) & (t_s[pending] < self.leave_s[cand])
            chosen[pending[ok]] = cand[ok]
            pending = pending[~ok]
            if len(pending) == 0:
                break
        return chosen


def build_reps(scale: int, seed: int, span: Span) -> Reps:
    """About max(12, min(400, scale // 400)) reps, anchors first; built once with a sequential rng."""
    rng = np.random.default_rng([seed, 101])
    n = max(12, min(400, scale // 400))
    share = np.outer(model.TEAM_WEIGHTS, REGION_WEIGHTS / REGION_WEIGHTS.sum()).ravel()
    by_weight = np.argsort(-share, kind="stable")
    anchors = by_weight[: min(n - max(2, n // 12), 16)]  # one rep per covered pool who never leaves
    extra = share[anchors] / share[anchors].sum()
    pool = np.concatenate([anchors, rng.choice(anchors, size=n - len(anchors), p=extra)])
    team, region = pool // 4, pool % 4
    skill = np.exp(rng.normal(0.0, 0.3, n))
    hire = span.start_s - rng.integers(200, 1500, n) * DAY
    later = rng.random(n) < 0.2
    later[: len(anchors)] = False
    hire[later] = span.start_s + rng.integers(0, 730, later.sum()) * DAY
    hire += 9 * 3600
    leave = np.full(n, NEVER, dtype=np.int64)
    leavers = rng.random(n) < 0.08
    leavers[: len(anchors)] = False
    leavers[len(anchors)] = True  # at least one rep leaves
    for r in np.flatnonzero(leavers):
        lo = max(int(hire[r]), span.start_s) + 120 * DAY
        leave[r] = rng.integers(lo, max(lo + DAY, span.end_s - 30 * DAY))
    members = [np.flatnonzero(pool == p) for p in range(16)]
    for p in range(16):  # an empty pool borrows the biggest pool of its team, else of its region
        if len(members[p]) == 0:
            same_team = [q for q in by_weight if q // 4 == p // 4 and len(members[q])]
            same_region = [q for q in by_weight if q % 4 == p % 4 and len(members[q])]
            members[p] = members[(same_team or same_region or list(anchors))[0]]
    width = max(len(m) for m in members)
    pool_members = np.stack([np.resize(m, width) for m in members])
    pool_size = np.array([len(m) for m in members])
    users, user_ids = user_frame(rng, span, pool, hire, leave)
    return Reps(team, region, skill, hire, leave, pool_members, pool_size, user_ids, users)
