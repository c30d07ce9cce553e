"""What a run must say plainly about deal lines naming a product the product catalogue does not have.

A line whose product_id is not among the exported products keeps its revenue: dim_products infers a product of
that id (is_inferred, no name, no family), so product_performance sums to company revenue. But its revenue is in
no product family, and a spelling that differs between two files of one export (the "CRM Sales Opportunities"
dataset spells "GTX Pro" in products.csv and "GTXPro" on its deals) leaves the catalogue's product at zero. When
the export has a catalogue at all, the run summary names such ids, their revenue, and the catalogue's product of
the same letters when there is one.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.lib.duckdb_settings import connect
from pipelines.lib.ingest.mapping.notices import shown_money


def _letters(name: str) -> str:
    """A product name compared without case, spaces or punctuation ("GTX Pro" and "GTXPro" are the same)."""
    return re.sub(r"[\W_]+", "", name.casefold())


def missing_products_message(
    missing: list[tuple[str, int, int, Decimal | None]], catalogue: list[tuple[str, str | None]]
) -> str | None:
    """``missing``: (product id, lines, won deals, won revenue) per id absent from ``catalogue`` (id, name)."""
    if not missing:
        return None
    alike: dict[str, str] = {}
    for product_id, name in catalogue:
        for spelling in (product_id, name):
            if spelling:
                alike.setdefault(_letters(spelling), product_id)
    shown = []
    for product_id, lines, deals, revenue in missing[:5]:
        what = (
            f"{product_id!r} ({lines:,} {'line' if lines == 1 else 'lines'}, "
            f"{deals:,} won {'deal' if deals == 1 else 'deals'}, revenue {shown_money(revenue)}"
        )
        twin = alike.get(_letters(product_id))
        shown.append(what + (f"; the products file has {twin!r})" if twin else ")"))
    more = f" and {len(missing) - 5:,} more" if len(missing) > 5 else ""
    noun, its = (
        ("product id on deal lines is", "Its") if len(missing) == 1 else ("product ids on deal lines are", "Their")
    )
    return (
        f"{len(missing):,} {noun} not in the products file: {', '.join(shown)}{more}. {its} revenue still counts, in "
        "product_performance under the id as written, but with no name or family: give the lines and the products "
        "the same ids (in a mapping, the same expression for both product_id columns)."
    )


def products_missing_from_catalogue(warehouse: Path) -> str | None:
    """The message for product ids on the warehouse's deal lines that no exported product has, when products were
    exported at all (without a catalogue every product is inferred, and there is nothing to match)."""
    try:
        with connect(warehouse, read_only=True) as con:
            catalogue = con.execute(
                "select product_id, product_name from marts.dim_products where not is_inferred"
            ).fetchall()
            if not catalogue:
                return None
            missing = con.execute(
                "with missing as (select product_id from marts.dim_products "
                "    where is_inferred and product_id <> 'unknown'), "
                "lines as (select product_id, count(*) as lines from marts.fct_opportunity_lines "
                "    where product_id in (select product_id from missing) group by product_id), "
                "won as (select product_id, sum(deals_won) as deals, sum(revenue) as revenue "
                "    from marts.product_performance where grain = 'year' "
                "    and product_id in (select product_id from missing) group by product_id) "
                "select lines.product_id, lines.lines, coalesce(won.deals, 0), won.revenue from lines "
                "left join won using (product_id) order by won.revenue desc nulls last, lines.product_id"
            ).fetchall()
    except duckdb.Error:  # no warehouse or no transform yet: nothing to say
        return None
    return missing_products_message(missing, catalogue)
