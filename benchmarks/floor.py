"""The floor: one bare DuckDB process loading every CSV of an export and computing the monthly core.

No orchestration, no audit, no lineage: what DuckDB alone needs to read the export and answer the core
question (per close month: revenue, deals won and lost, win rate, average deal size, sales cycle, new
customers). ``python benchmarks/floor.py EXPORT_DIR DATABASE`` prints the months as JSON lines; the bench
times it and compares the pipeline against it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

MONTHLY_CORE = """
with won_or_lost as (
    select
        "AccountId" as account_id,
        cast("Amount" as decimal(18, 2)) as amount,
        cast("CloseDate" as date) as close_date,
        cast(cast("CreatedDate" as timestamp) as date) as created_date,
        lower(cast("IsWon" as varchar)) = 'true' as won
    from opportunity
    where lower(cast("IsClosed" as varchar)) = 'true'
),
first_win as (
    select account_id, min(close_date) as first_won from won_or_lost where won group by account_id
)
select
    date_trunc('month', w.close_date) as month,
    sum(amount) filter (where won) as revenue,
    count(*) filter (where won) as won,
    count(*) filter (where not won) as lost,
    count(*) filter (where won) / count(*) as win_rate,
    avg(amount) filter (where won) as avg_deal_size,
    avg(close_date - created_date) filter (where won) as avg_cycle_days,
    (select count(*) from first_win f where date_trunc('month', f.first_won) = date_trunc('month', w.close_date))
        as new_customers
from won_or_lost w
group by all
order by month
"""


def load(con: duckdb.DuckDBPyConnection, export: Path) -> dict[str, int]:
    """Every CSV of the export as a table (DuckDB's own type detection), rows per table."""
    rows = {}
    for path in sorted(export.glob("*.csv")):
        table = path.stem.lower()
        con.execute(f'create or replace table "{table}" as select * from read_csv(?)', [str(path)])
        rows[table] = con.execute(f'select count(*) from "{table}"').fetchone()[0]
    return rows


def monthly_core(export: Path, database: str = ":memory:") -> list[dict[str, object]]:
    """The monthly core, also kept in ``database`` as table monthly_core (the bench compares the marts to it)."""
    with duckdb.connect(database) as con:
        load(con, export)
        con.execute(f"create or replace table monthly_core as {MONTHLY_CORE}")
        cursor = con.execute("select * from monthly_core order by month")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


AGREEMENT = """
select count(*) as months,
       count(*) filter (where f.revenue is distinct from m.revenue or f.won <> m.deals_won
                        or f.lost <> m.deals_lost or abs(f.win_rate - m.win_rate) > 1e-12) as differing
from floor_db.monthly_core f
left join warehouse.marts.sales_by_period m on m.grain = 'month' and m.period_start = f.month
"""


def marts_agree(floor_db: Path, warehouse: Path) -> tuple[int, int]:
    """(months, months whose revenue, deals won, deals lost or win rate differ) between the floor and
    marts.sales_by_period: an independent computation of the core, revenue to the cent."""
    with duckdb.connect() as con:
        con.execute(f"attach '{floor_db}' as floor_db (read_only)")
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        return con.execute(AGREEMENT).fetchone()


if __name__ == "__main__":
    for month in monthly_core(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else ":memory:"):
        print(json.dumps(month, default=str))
