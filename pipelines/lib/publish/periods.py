"""Period labels (2026-W47, 2026-11) ↔ Dagster partition keys, and the last closed period."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from pipelines.lib.config import load_publish_config
from pipelines.lib.publish.snapshots import GRAINS, period_bounds, period_label


class PeriodError(ValueError):
    """A period label that is malformed, not closed yet, or before the first publishable period."""


PATTERNS = {"weekly": r"^\d{4}-W\d{2}$", "monthly": r"^\d{4}-\d{2}$"}
EXAMPLES = {"weekly": "2026-W47", "monthly": "2026-11"}


def today_in_timezone() -> date:
    return datetime.now(ZoneInfo(load_publish_config().timezone)).date()


def last_closed_period(grain: str, today: date | None = None) -> str:
    """Weekly: the ISO week before the current one; monthly: the month before the current one."""
    today = today or today_in_timezone()
    if grain == "weekly":
        return period_label(grain, today - timedelta(days=today.weekday() + 7))
    return period_label(grain, (today.replace(day=1) - timedelta(days=1)).replace(day=1))


def partition_key_for(grain: str, label: str, today: date | None = None) -> str:
    if not re.match(PATTERNS[grain], label):
        raise PeriodError(f"{label!r} is not a {grain} period; write it like {EXAMPLES[grain]}.")
    try:
        start, end = period_bounds(grain, label)
    except ValueError as exc:
        raise PeriodError(f"{label!r} is not a valid {grain} period ({exc}).") from None
    today = today or today_in_timezone()
    if end >= today:
        raise PeriodError(f"{label} is not closed yet (it ends {end}); only closed periods are published.")
    first = load_publish_config().start_date
    if start < first:
        raise PeriodError(f"{label} starts before publish.start_date ({first}) in salesmetrics.yml.")
    return start.isoformat()


def closed_periods_with_data(warehouse: Path, grain: str, today: date | None = None) -> tuple[str, str]:
    """The first and last closed periods the marts hold (from publish.start_date on), for a backfill."""
    today = today or today_in_timezone()
    first_allowed = load_publish_config().start_date
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first, last = con.execute(
            "select min(period_start), max(period_start) from marts.sales_by_period "
            "where grain = ? and period_start >= ? and period_end < ? "
            "and period_end <= (select max(period_end) from marts.sales_by_period where grain = 'day')",
            [GRAINS[grain], first_allowed, today],
        ).fetchone()
    if first is None:
        raise PeriodError(f"the marts hold no closed {GRAINS[grain]} since publish.start_date ({first_allowed}).")
    return period_label(grain, first), period_label(grain, last)
