"""What a run must say plainly about data it landed but cannot use: campaigns without a start date.

A campaign's spend is spread over its days (int_campaign_spend_daily); one without a start date has no day, so
its spend is in no period of campaign_performance or acquisition_cost, and no CAC counts it. Such campaigns
still land (nothing is lost); the run says how many and how much, in the canonical campaigns' ingest metadata
and in the run summary. Deal lines naming a product the catalogue lacks: product_notice.py.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb

from pipelines.lib.duckdb_settings import connect


def shown_money(amount: Decimal | None) -> str:
    """An amount as a notice shows it: rounded half to even to the cent, thousands grouped (display only)."""
    return f"{Decimal(amount or 0).quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):,}"


def undated_message(campaigns: int, spend: Decimal | None, crm_only: bool = False) -> str | None:
    if not campaigns:
        return None
    shown = shown_money(spend)
    noun = "campaign has" if campaigns == 1 else "campaigns have"
    return (
        f"{campaigns:,} {noun} no start date; their spend {shown} cannot be placed in any period "
        "(campaign_performance, acquisition_cost and CAC leave it out): "
        + ("fill StartDate and EndDate in the CRM." if crm_only else "map start_date and end_date.")
    )


def landed_undated(con: duckdb.DuckDBPyConnection, table: str, checksums: list[str]) -> str | None:
    """The message for campaigns without a start date among the rows just landed from ``checksums``."""
    if not checksums:
        return None
    campaigns, spend = con.execute(
        f"select count(*), sum(try_cast(actual_cost as decimal(38, 10))) from {table} "
        f"where nullif(trim(start_date), '') is null and _source_sha256 in (select unnest(?))",
        [checksums],
    ).fetchone()
    return undated_message(campaigns, spend)


def unplaced_campaigns(warehouse: Path) -> str | None:
    """The message for campaigns of the warehouse (every source, latest export) without a start date."""
    try:
        with connect(warehouse, read_only=True) as con:
            campaigns, spend, mapped = con.execute(
                "select count(*), sum(actual_cost), count(*) filter (where _source_name <> 'salesforce') "
                "from intermediate.int_campaign_sources_unioned where start_date is null"
            ).fetchone()
    except duckdb.Error:  # no warehouse or no transform yet: nothing to say
        return None
    return undated_message(campaigns, spend, crm_only=not mapped)
