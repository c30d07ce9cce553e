"""The product catalogue (Product2): 36-56 products in four families, drawn once per seed.

Margins differ strongly by family (services thin, software rich) so gross-margin metrics have something to
show; two products lack a unit cost, as catalogues often do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.lib.sample import model
from pipelines.lib.sample.ids import sfid
from pipelines.lib.sample.timeline import DAY, Span


def _names(series: str, variants: str, pattern: str) -> list[str]:
    return [pattern.format(s, v) for s in series.split("|") for v in variants.split("|")]


_PRODUCT_NAMES = {
    "Hardware": _names(
        "Edge Router|Core Switch|Storage Array|Sensor Kit|IoT Gateway|Server Node|Thin Client|Camera Module",
        "X100|X200|Pro",
        "{} {}",
    ),
    "Software": _names(
        "Analytics Cloud|CRM Suite|Security Platform|Data Pipeline|Collaboration Hub|Billing Engine",
        "Standard|Professional|Enterprise",
        "{} - {}",
    ),
    "Services": _names(
        "Implementation|Training|Data Migration|Strategy Workshop|Custom Integration",
        "per day|Premium, per day",
        "{} ({})",
    ),
    "Support": _names("Premier Support|Standard Support|Extended Warranty|Managed Service", "Annual|3-Year", "{}, {}"),
}


@dataclass(frozen=True)
class Catalog:
    """Product rows plus the arrays line items draw from (prices in cents, products per family)."""

    ids: np.ndarray
    pricebook_ids: np.ndarray  # one standard PricebookEntry per product
    list_cents: np.ndarray
    family_members: np.ndarray  # (4, k) product indices per family, padded by repeating
    family_size: np.ndarray
    frame: pd.DataFrame


def build_catalog(seed: int, span: Span) -> Catalog:
    """Draw the catalogue for this seed (built once, so a sequential rng is fine)."""
    rng = np.random.default_rng([seed, 102])
    count = int(rng.integers(36, 57))
    family = rng.choice(4, size=count, p=[0.3, 0.3, 0.2, 0.2])
    family[:4] = np.arange(4)  # every family has products
    family = np.sort(family)
    names, codes, list_cents, cost_cents = [], [], [], []
    for f, (fam, _, (lo, hi), (m_lo, m_hi)) in enumerate(model.FAMILIES):
        k = int((family == f).sum())
        pool = _PRODUCT_NAMES[fam]
        names += [pool[i] for i in rng.choice(len(pool), size=k, replace=k > len(pool))]
        price = np.exp(rng.uniform(np.log(lo), np.log(hi), k))
        cents = np.round(price / 10) * 1000 - np.where(rng.random(k) < 0.4, 100, 0)  # 1290.00 or 1289.00
        list_cents += list(cents.astype(np.int64))
        cost_cents += list(np.round(cents * (1 - rng.uniform(m_lo, m_hi, k))))
        codes += [f"{fam[:2].upper()}-{1000 + 7 * i + f}" for i in range(k)]
    cost = np.array(cost_cents, dtype=np.float64)
    cost[rng.choice(count, size=2, replace=False)] = np.nan
    ids = sfid("Product2", np.arange(count)).astype(object)
    frame = pd.DataFrame(
        {
            "Id": ids,
            "Name": names,
            "ProductCode": codes,
            "Family": [model.FAMILY_NAMES[f] for f in family],
            "IsActive": rng.random(count) > 0.1,
            "List_Price__c": np.array(list_cents, dtype=np.float64),
            "Unit_Cost__c": cost,
            "CreatedDate": span.start_s - rng.integers(100, 2000, count) * DAY + rng.integers(8, 18, count) * 3600,
        }
    )
    members = [np.flatnonzero(family == f) for f in range(4)]
    width = max(len(m) for m in members)
    return Catalog(
        ids=ids,
        pricebook_ids=sfid("PricebookEntry", np.arange(count)).astype(object),
        list_cents=np.array(list_cents, dtype=np.int64),
        family_members=np.stack([np.resize(m, width) for m in members]),
        family_size=np.array([len(m) for m in members]),
        frame=frame,
    )
