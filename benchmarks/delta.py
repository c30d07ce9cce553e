"""A 1 % daily delta: a newer export folder holding only new and changed opportunities.

Half of the delta are deals of the base export that changed since (open ones closed won on the delta's day,
closed ones with a new amount), half are new deals created that day (copies of existing deals under new ids,
so their accounts, owners and campaigns resolve). Written with DuckDB; deterministic for a given export.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

DELTA = """
copy (
    with base as (select * from read_csv($base, all_varchar = true, header = true)),
    changed as (
        select * replace (
            case when "IsClosed" = 'true' then "StageName" else 'Closed Won' end as "StageName",
            case when "IsClosed" = 'true' then cast(cast("Amount" as decimal(18, 2)) + 100 as varchar)
                 else "Amount" end as "Amount",
            'true' as "IsClosed",
            case when "IsClosed" = 'true' then "IsWon" else 'true' end as "IsWon",
            case when "IsClosed" = 'true' then "CloseDate" else $day end as "CloseDate",
            $stamp as "LastStageChangeDate"
        )
        from base where hash("Id") % $every = 0
    ),
    created as (
        select * replace (
            '006' || '5gZZZ' || substr("Id", 9) as "Id",
            'Prospecting' as "StageName",
            'false' as "IsClosed",
            'false' as "IsWon",
            $later as "CloseDate",
            $stamp as "CreatedDate",
            $stamp as "LastStageChangeDate"
        )
        from base where hash("Id") % $every = 1
    )
    select * from changed union all select * from created
) to '{out}' (header true)
"""


def write_delta(base: Path, out_dir: Path, day: date, share: float = 0.01) -> int:
    """Write ``out_dir/Opportunity.csv`` with about ``share`` of the base export's deals; rows written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "Opportunity.csv"
    every = round(2 / share)  # half changed, half new
    params = {
        "base": str(base / "Opportunity.csv"),
        "every": every,
        "day": day.isoformat(),
        "later": date.fromordinal(day.toordinal() + 45).isoformat(),
        "stamp": f"{day.isoformat()}T09:00:00.000Z",
    }
    with duckdb.connect() as con:
        con.execute(DELTA.format(out=str(out).replace("'", "''")), params)
        return con.execute("select count(*) from read_csv(?)", [str(out)]).fetchone()[0]
