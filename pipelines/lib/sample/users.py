"""The User export: reps (Department = team, Division = region), their managers, regional VPs and a CRO.

Reps come first so a rep's index is its user index; every rep reports to a manager of its own team and
region (one per eight reps), managers to their region's VP, VPs to the CRO. Names are unique.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from pipelines.lib.sample import model, vocab
from pipelines.lib.sample.ids import sfid
from pipelines.lib.sample.timeline import DAY, Span

NEVER = np.iinfo(np.int64).max  # leave time of reps still employed


def _email(first: str, last: str) -> str:
    text = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    return text.lower().replace("'", "").replace(" ", "") + "@example.com"


def user_frame(
    rng: np.random.Generator,
    span: Span,
    pool: np.ndarray,
    hire: np.ndarray,
    leave: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Reps first (so a rep's index is its user index), then managers, VPs and the CRO."""
    rows: list[dict[str, object]] = []
    n = len(pool)
    for r in range(n):
        team = model.TEAMS[pool[r] // 4]
        title = "Inside Sales Representative" if team == "Inside Sales" else "Account Executive"
        if pool[r] // 4 == 0:
            title = "Enterprise Account Executive"
        rows.append(
            {
                "Title": title if rng.random() > 0.1 else None,
                "Department": team,
                "Division": vocab.REGIONS[pool[r] % 4],
                "IsActive": leave[r] == NEVER,
                "CreatedDate": int(hire[r]),
            }
        )
    vp_of = {}
    managers: list[tuple[int, list[int]]] = []
    for p in range(16):
        own = [int(r) for r in np.flatnonzero(pool == p)]
        for k in range(0, len(own), 8):
            managers.append((p, own[k : k + 8]))
    for p, reps in managers:
        rows.append(
            {
                "Title": f"Sales Manager, {model.TEAMS[p // 4]}",
                "Department": model.TEAMS[p // 4],
                "Division": vocab.REGIONS[p % 4],
                "IsActive": True,
                "_reports": reps,
            }
        )
    for region in sorted({p % 4 for p, _ in managers}):
        vp_of[region] = len(rows)
        rows.append(
            {
                "Title": f"VP Sales, {vocab.REGIONS[region]}",
                "Department": "Sales Leadership",
                "Division": vocab.REGIONS[region],
                "IsActive": True,
            }
        )
    cro = len(rows)
    rows.append(
        {"Title": "Chief Revenue Officer", "Department": "Sales Leadership", "Division": None, "IsActive": True}
    )
    ids = sfid("User", np.arange(len(rows))).astype(object)
    manager_of = np.full(len(rows), -1)
    for m, (p, reps) in enumerate(managers):
        manager_of[reps] = n + m
        manager_of[n + m] = vp_of[p % 4]
    manager_of[list(vp_of.values())] = cro
    pairs = rng.choice(len(vocab.FIRST_NAMES) * len(vocab.LAST_NAMES), size=len(rows), replace=False)
    for i, row in enumerate(rows):
        first = vocab.FIRST_NAMES[pairs[i] // len(vocab.LAST_NAMES)]
        last = vocab.LAST_NAMES[pairs[i] % len(vocab.LAST_NAMES)]
        row.pop("_reports", None)
        row.setdefault("CreatedDate", span.start_s - int(rng.integers(400, 2500)) * DAY + 9 * 3600)
        row.update(
            Id=ids[i],
            Name=f"{first} {last}",
            FirstName=first,
            LastName=last,
            Email=_email(first, last),
            ManagerId=ids[manager_of[i]] if manager_of[i] >= 0 else None,
        )
    return pd.DataFrame(rows), ids
