"""Accounts: attributes hashed from the account's index, and which account each deal belongs to.

Nothing per account is stored except what deals reveal (when it first bought, whether it won), so the
Account export can be written after the deals in bounded memory. Deals pick accounts in creation order:
a share of deals open a brand-new account (its first deal, "New Business"); the rest go back to an earlier
account, preferring recent, loyal, not-yet-churned ones, so some accounts buy again and again while others
buy once and stop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from pipelines.lib.sample import model, vocab
from pipelines.lib.sample.ids import sfid
from pipelines.lib.sample.people import Reps
from pipelines.lib.sample.rand import Draws, pick_rows
from pipelines.lib.sample.timeline import DAY, Span

_LOC_WEIGHT = np.array([loc[2] / len(loc[3]) for loc in vocab.LOCATIONS for _ in loc[3]])
LOC_COUNTRY = np.array([loc[0] for loc in vocab.LOCATIONS for _ in loc[3]], dtype=object)
LOC_REGION = np.array([loc[1] for loc in vocab.LOCATIONS for _ in loc[3]])
_LOC_STATE = np.array([s or None for loc in vocab.LOCATIONS for s, _ in loc[3]], dtype=object)
_LOC_CITY = np.array([c for loc in vocab.LOCATIONS for _, c in loc[3]], dtype=object)
INDUSTRY = np.array((*vocab.INDUSTRIES, None), dtype=object)
_INDUSTRY_WEIGHT = np.array([0.95 / len(vocab.INDUSTRIES)] * len(vocab.INDUSTRIES) + [0.05])
_LOYALTY = np.array([0.0, 1.0, 5.0])  # one-and-done, occasional, key account
_LOYALTY_BY_SEGMENT = np.array([[0.45, 0.42, 0.13], [0.30, 0.50, 0.20], [0.15, 0.50, 0.35]])
_LIFETIME_YEARS = np.array([0.0, 1.5, 6.0])
_ROUNDS = 24


@lru_cache(maxsize=1)
def company_names() -> np.ndarray:
    """Every generated company name (prefix x core x legal suffix) followed by the rare odd ones."""
    combos = [
        f"{p} {c}{s}" for p in vocab.COMPANY_PREFIXES for c in vocab.COMPANY_CORES for s in vocab.COMPANY_SUFFIXES
    ]
    return np.array(combos + list(vocab.ODD_COMPANY_NAMES), dtype=object)


def company_code(u: np.ndarray) -> np.ndarray:
    """A name index: ~0.2 % odd names, the rest spread over the combinations."""
    n_odd = len(vocab.ODD_COMPANY_NAMES)
    regular = len(company_names()) - n_odd
    odd = u < 0.002
    code = ((u - 0.002) / 0.998 * regular).astype(np.int64)
    return np.where(odd, regular + (u / 0.002 * n_odd).astype(np.int64) % n_odd, np.clip(code, 0, regular - 1))


@dataclass
class AccountState:
    """What the deals have revealed about each account so far (one small array per attribute)."""

    n: int
    counter: int = 0  # accounts opened so far
    first_s: np.ndarray = field(init=False)
    has_won: np.ndarray = field(init=False)
    first_won_day: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.first_s = np.full(self.n, -1, dtype=np.int64)
        self.has_won = np.zeros(self.n, dtype=bool)
        self.first_won_day = np.full(self.n, np.iinfo(np.int64).max, dtype=np.int64)


class Accounts:
    """Account attributes as pure functions of the account index, and the deal-to-account assignment."""

    def __init__(self, draws: Draws, reps: Reps, n: int, scale: int) -> None:
        self.d, self.reps, self.n = draws, reps, n
        self.p_new = min(0.9, 0.9 * n / scale)

    def segment(self, j: np.ndarray) -> np.ndarray:
        """SMB / Mid-Market / Enterprise (index into model.SEGMENTS); drives deal size and owner team."""
        return self.d.choice("acc_segment", j, model.SEGMENT_WEIGHTS)

    def location(self, j: np.ndarray) -> np.ndarray:
        """Index into the flattened location table (country, state, city, region)."""
        return self.d.choice("acc_location", j, _LOC_WEIGHT)

    def industry(self, j: np.ndarray) -> np.ndarray:
        """Index into INDUSTRY; the last entry (None) leaves ~5 % blank, as real accounts are."""
        return self.d.choice("acc_industry", j, _INDUSTRY_WEIGHT)

    def name_code(self, j: np.ndarray) -> np.ndarray:
        """Index into company_names(); shared by Account.Name, Opportunity.Name and Lead.Company."""
        return company_code(self.d.u("acc_name", j))

    def pool(self, j: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """Rep pool (team x region): Enterprise/Mid-Market by segment; SMB split between SMB and Inside Sales."""
        team = np.array([2, 1, 0])[segment]
        team = np.where((segment == 0) & (self.d.u("acc_team", j) < 0.4), 3, team)
        return team * 4 + LOC_REGION[self.location(j)]

    def _loyalty(self, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cls = pick_rows(self.d.u("acc_loyalty", j), _LOYALTY_BY_SEGMENT[self.segment(j)])
        life = -np.log(1.0 - self.d.u("acc_life", j)) * _LIFETIME_YEARS[cls] * 365.25 * DAY
        return _LOYALTY[cls], life

    def assign(self, idx: np.ndarray, created_s: np.ndarray, state: AccountState) -> tuple[np.ndarray, np.ndarray]:
        """Account of each deal (idx ascending, created_s non-decreasing) and whether it opens the account."""
        is_new = self.d.u("acc_new", idx) < self.p_new
        is_new |= idx == 0
        rank = state.counter + np.cumsum(is_new) - 1
        is_new &= rank < self.n
        before = state.counter + np.cumsum(is_new) - is_new  # accounts opened by earlier deals
        account = np.where(is_new, before, -1)
        state.first_s[before[is_new]] = created_s[is_new]
        state.counter = int(before[-1] + is_new[-1]) if len(idx) else state.counter
        pending = np.flatnonzero(~is_new)
        for r in range(_ROUNDS):
            if len(pending) == 0:
                break
            i = idx[pending]
            back = np.floor(before[pending] * self.d.u("acc_back", i, r) ** 2).astype(np.int64)
            cand = before[pending] - 1 - back
            weight, life = self._loyalty(cand)
            alive = created_s[pending] < state.first_s[cand] + life
            ok = (self.d.u("acc_accept", i, r) * _LOYALTY[-1] < weight) & alive
            ok |= r == _ROUNDS - 1  # give up: the last candidate gets the deal anyway
            account[pending[ok]] = cand[ok]
            pending = pending[~ok]
        return account, is_new

    def frame(self, lo: int, hi: int, state: AccountState, span: Span) -> pd.DataFrame:
        """Account rows lo..hi-1, written after all deals so Type and CreatedDate reflect them."""
        j = np.arange(lo, hi, dtype=np.int64)
        seg, loc = self.segment(j), self.location(j)
        names = company_names()[self.name_code(j)]
        trailing = self.d.u("acc_trailing", j) < 0.02
        names[trailing] = names[trailing] + "  "
        pool = self.pool(j, seg)
        owner = self.reps.pool_members[pool, (self.d.u("acc_owner", j) * self.reps.pool_size[pool]).astype(int)]
        first = state.first_s[lo:hi]
        lead = (self.d.u("acc_created", j) * 45 * DAY).astype(np.int64)
        anytime = span.start_s + (self.d.u("acc_created", j, 1) * (span.end_s - span.start_s)).astype(np.int64)
        region = np.where(self.d.u("acc_region", j) < 0.7, LOC_REGION[loc], 4)
        return pd.DataFrame(
            copy=False,
            data={
                "Id": sfid("Account", j).astype(object),
                "Name": names,
                "Type": np.where(state.has_won[lo:hi], "Customer", "Prospect").astype(object),
                "Industry": INDUSTRY[self.industry(j)],
                "Segment__c": np.array(model.SEGMENTS, dtype=object)[seg],
                "BillingCity": _LOC_CITY[loc],
                "BillingState": _LOC_STATE[loc],
                "BillingCountry": LOC_COUNTRY[loc],
                "Region__c": np.array((*vocab.REGIONS, None), dtype=object)[region],
                "OwnerId": self.reps.user_ids[owner],
                "CreatedDate": np.where(first >= 0, first - lead, anytime),
                "IsDeleted": np.zeros(len(j), dtype=bool),
            },
        )
