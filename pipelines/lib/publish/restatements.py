"""Restatements: what a new version of a published period changed against the version before it, and why.

Each version freezes, beside its scorecard rows, the deals its period depends on (``snapshots.period_opportunities``:
created or closing in the period, or open across its end), each with a hash of the fields the export gives.
When a later export changes the period (a backdated close, an edited amount, a stage moved back, a deal deleted in
the CRM: ``marts.fct_deleted_opportunities``), the next
version lists every KPI whose actual moved (``snapshots.restatements``: old and new value, the deals of that
scope whose rows changed and the export files that changed them) and those deals (``snapshots.restated_opportunities``).
The rows of the new version are also frozen into its folder (``restatements/*.parquet``) for the page and workbook.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb

# The deal's own exported facts: what makes its row "changed". Derived fields (first won deal, size band,
# cycle) are left out, since one deal's change moves them on other deals that did not change.
TRACKED = ("account_id", "rep_id", "created_date", "close_date", "stage", "status", "amount", "lead_source", "type")
DELETED = "marts.fct_deleted_opportunities"
# A deal's team is its owner's team when it closed (fct_opportunities, the org at close), as the scorecard's
# team scope counts it; today's team for open deals.
SOURCES = ("marts.fct_opportunities", DELETED)

_OPPORTUNITY_COLUMNS = """opportunity_id varchar, rep_id varchar, team varchar, created_date date, close_date date,
    stage varchar, status varchar, amount decimal(38, 6), row_hash varchar, source_file varchar"""


def ensure_restatement_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists snapshots")
    con.execute(
        "create table if not exists snapshots.period_opportunities (grain varchar, period varchar, version integer, "
        f"{_OPPORTUNITY_COLUMNS})"
    )
    con.execute(
        """create table if not exists snapshots.restatements (
            grain varchar, period varchar, version integer, previous_version integer, published_at timestamp,
            scope varchar, scope_id varchar, scope_name varchar, kpi varchar, kpi_label varchar, kpi_unit varchar,
            old_value decimal(38, 6), new_value decimal(38, 6), opportunity_ids varchar, changed_by varchar
        )"""
    )
    con.execute(
        """create table if not exists snapshots.restated_opportunities (
            grain varchar, period varchar, version integer, previous_version integer, published_at timestamp,
            opportunity_id varchar, change varchar, rep_id varchar, team varchar,
            old_status varchar, new_status varchar, old_stage varchar, new_stage varchar,
            old_close_date date, new_close_date date, old_amount decimal(38, 6), new_amount decimal(38, 6),
            source_file varchar
        )"""
    )


def freeze_period_opportunities(con: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """The deals the period depends on, as the marts hold them now, into temp table _period_opportunities."""
    hashed = ", ".join(f"o.{c}" for c in TRACKED)
    con.execute(
        f"""create or replace temp table _period_opportunities as
        select o.opportunity_id, o.rep_id, o.team, o.created_date, o.close_date, o.stage, o.status,
            cast(o.amount as decimal(38, 6)) as amount, md5(cast(row({hashed}) as varchar)) as row_hash,
            o._source_file as source_file
        from marts.fct_opportunities as o
        where o.created_date between $start and $end
            or o.close_date between $start and $end
            or (o.created_date <= $end and o.close_date > $end)""",
        {"start": start, "end": end},
    )


def _deleted(con: duckdb.DuckDBPyConnection) -> str:
    """The deleted deals' mart, or no rows where the marts predate it."""
    schema, name = DELETED.split(".")
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    if con.execute(query, [schema, name]).fetchone()[0]:
        return DELETED
    return "(select null::varchar as opportunity_id, null::varchar as deleted_in_file where false)"


def _changed_inputs(con: duckdb.DuckDBPyConnection, table: str, label: str, previous: int, checksums: str) -> str:
    """The accepted input files that are new or changed since the previous version, comma-separated."""
    query = f"select any_value(input_checksums) from {table} where period = ? and version = ?"
    old = json.loads(con.execute(query, [label, previous]).fetchone()[0] or "{}")
    return ", ".join(sorted(f for f, sha in json.loads(checksums).items() if old.get(f) != sha))


def compute_restatements(
    con: duckdb.DuckDBPyConnection, grain: str, label: str, version: int, checksums: str, published_at: datetime
) -> None:
    """Temp tables _restated_opportunities and _restated_kpis: the new version (_period) against the previous."""
    previous = version - 1
    table = f"snapshots.kpi_{grain}_versions"
    keys = {"grain": grain, "period": label, "version": version, "previous": previous, "published_at": published_at}
    # A version published before deals were recorded has none to compare with: its KPIs still are.
    recorded = con.execute(
        "select count(*) > 0 from snapshots.period_opportunities where grain = ? and period = ? and version = ?",
        [grain, label, previous],
    ).fetchone()[0]
    con.execute(
        f"""create or replace temp table _restated_opportunities as
        with old as (
            select * from snapshots.period_opportunities
            where grain = $grain and period = $period and version = $previous
        )
        select $grain as grain, $period as period, $version as version, $previous as previous_version,
            $published_at as published_at,
            coalesce(n.opportunity_id, o.opportunity_id) as opportunity_id,
            case
                when o.opportunity_id is null then 'entered the period'
                when n.opportunity_id is null and gone.opportunity_id is not null then 'deleted'
                when n.opportunity_id is null then 'left the period'
                else concat_ws(', ',
                    case when o.status is distinct from n.status then 'status' end,
                    case when o.stage is distinct from n.stage then 'stage' end,
                    case when o.close_date is distinct from n.close_date then 'close date' end,
                    case when o.amount is distinct from n.amount then 'amount' end,
                    case when o.rep_id is distinct from n.rep_id then 'owner' end,
                    case when o.created_date is distinct from n.created_date then 'created date' end) || ' changed'
            end as change,
            coalesce(n.rep_id, o.rep_id) as rep_id, coalesce(n.team, o.team) as team,
            o.status as old_status, n.status as new_status, o.stage as old_stage, n.stage as new_stage,
            o.close_date as old_close_date, n.close_date as new_close_date,
            o.amount as old_amount, n.amount as new_amount,
            coalesce(n.source_file, gone.deleted_in_file, now_exported._source_file) as source_file,
            o.rep_id as old_rep_id, o.team as old_team
        from old as o
        full join _period_opportunities as n on n.opportunity_id = o.opportunity_id
        left join marts.fct_opportunities as now_exported
            on now_exported.opportunity_id = coalesce(n.opportunity_id, o.opportunity_id)
        left join {_deleted(con)} as gone on n.opportunity_id is null and gone.opportunity_id = o.opportunity_id
        where o.row_hash is distinct from n.row_hash and $recorded""",
        keys | {"recorded": recorded},
    )
    inputs = _changed_inputs(con, table, label, previous, checksums)
    con.execute(
        f"""create or replace temp table _restated_kpis as
        with old as (select * from {table} where period = $period and version = $previous),
        moved as (
            select coalesce(n.scope, o.scope) as scope, coalesce(n.scope_id, o.scope_id) as scope_id,
                coalesce(n.scope_name, o.scope_name) as scope_name, coalesce(n.kpi, o.kpi) as kpi,
                coalesce(n.kpi_label, o.kpi_label) as kpi_label, coalesce(n.kpi_unit, o.kpi_unit) as kpi_unit,
                o.actual as old_value, n.actual as new_value
            from old as o
            full join _period as n on n.scope = o.scope and n.scope_id = o.scope_id and n.kpi = o.kpi
            where o.actual is distinct from n.actual
        )
        select $grain as grain, $period as period, $version as version, $previous as previous_version,
            $published_at as published_at, moved.*,
            (select string_agg(distinct d.opportunity_id, ', ' order by d.opportunity_id)
             from _restated_opportunities as d
             where moved.scope = 'company'
                or (moved.scope = 'team' and moved.scope_id in (d.team, d.old_team))
                or (moved.scope = 'rep' and moved.scope_id in (d.rep_id, d.old_rep_id))) as opportunity_ids,
            coalesce(
                (select string_agg(distinct d.source_file, ', ' order by d.source_file)
                 from _restated_opportunities as d
                 where moved.scope = 'company'
                    or (moved.scope = 'team' and moved.scope_id in (d.team, d.old_team))
                    or (moved.scope = 'rep' and moved.scope_id in (d.rep_id, d.old_rep_id))),
                nullif($inputs, '')) as changed_by
        from moved
        order by case moved.scope when 'company' then 0 when 'team' then 1 else 2 end, moved.scope_name, moved.kpi""",
        keys | {"inputs": inputs},
    )


def freeze_restatements(con: duckdb.DuckDBPyConnection, folder: Path, version: int) -> None:
    """restatements/kpis.parquet and restatements/opportunities.parquet of a version after the first."""
    if version == 1:
        return
    (folder / "restatements").mkdir()
    con.execute(f"copy _restated_kpis to '{folder / 'restatements' / 'kpis.parquet'}' (format parquet)")
    con.execute(
        "copy (select * exclude (old_rep_id, old_team) from _restated_opportunities order by opportunity_id) "
        f"to '{folder / 'restatements' / 'opportunities.parquet'}' (format parquet)"
    )


def record(con: duckdb.DuckDBPyConnection, grain: str, label: str, version: int) -> None:
    """Append the version's deals and, after the first version, its restatements to the snapshot tables."""
    con.execute(
        "insert into snapshots.period_opportunities by name "
        "select ? as grain, ? as period, ? as version, * from _period_opportunities",
        [grain, label, version],
    )
    if version > 1:
        con.execute("insert into snapshots.restatements by name select * from _restated_kpis")
        con.execute(
            "insert into snapshots.restated_opportunities by name "
            "select * exclude (old_rep_id, old_team) from _restated_opportunities"
        )
