"""Line items: 1-4 products per deal, whose totals make the deal's Amount.

Prices are integer cents throughout, so Amount = sum of TotalPrice holds to the cent by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.lib.sample import model
from pipelines.lib.sample.catalog import Catalog
from pipelines.lib.sample.rand import Draws, pick_rows

MAX_LINES = 4


@dataclass(frozen=True)
class Lines:
    """One row per deal, one column per line slot; ``mask`` says which slots exist."""

    mask: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    list_cents: np.ndarray
    unit_cents: np.ndarray
    total_cents: np.ndarray

    @property
    def amount_cents(self) -> np.ndarray:
        return np.where(self.mask, self.total_cents, 0).sum(axis=1)


def build_lines(d: Draws, idx: np.ndarray, segment: np.ndarray, skill: np.ndarray, catalog: Catalog) -> Lines:
    """Draw up to four lines per deal: family by segment, product within family, quantity, discount."""
    n = len(idx)
    count = 1 + pick_rows(d.u("line_count", idx), model.LINE_COUNT[segment])
    mask = np.arange(MAX_LINES)[None, :] < count[:, None]
    family_weights = model.FAMILY_BY_SEGMENT[segment]
    product = np.empty((n, MAX_LINES), dtype=np.int64)
    quantity = np.empty((n, MAX_LINES), dtype=np.int64)
    discount = np.empty((n, MAX_LINES))
    median = model.QUANTITY_MEDIAN[segment] * np.sqrt(skill)
    for s in range(MAX_LINES):
        family = pick_rows(d.u("line_family", idx, s), family_weights)
        size = catalog.family_size[family]
        product[:, s] = catalog.family_members[family, (d.u("line_product", idx, s) * size).astype(np.int64)]
        quantity[:, s] = np.clip(np.rint(median * d.lognormal("line_qty", idx, 0.8, s)), 1, 50)
        discounted = d.u("line_discounted", idx, s) < 0.4
        discount[:, s] = np.where(discounted, 0.25 * d.u("line_discount", idx, s), 0.0)
    list_cents = catalog.list_cents[product]
    unit_cents = np.rint(list_cents * (1.0 - discount)).astype(np.int64)
    return Lines(mask, product, quantity, list_cents, unit_cents, unit_cents * quantity)
