"""Incremental builds (docs/architecture.md "Incremental builds"): a daily delta builds the incremental models from
its new rows only, and every staging, intermediate and mart table comes out row for row as a full rebuild of the
same raw data; when raw lost rows, the next build is a full one and again equals a full build of what raw holds."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from pipelines.lib.config import DEFAULT_STAGES
from tests.integration.canonical_fixture import base_rows, write_export
from tests.integration.conftest import Built, copy_of_built, export_root, restored_env

DELTA_DAY = "2026-07-01"
# the delta is a partial export (a few deals): the partial-export rule would refuse it; new_stage_in_the_order's
# stage is one the audit knows
NEW_STAGE = "Technical Validation"
CONFIG = f"audit:\n  row_count_min_ratio: 0\n  known_stages: {[*DEFAULT_STAGES, NEW_STAGE]}\n"
SCHEMAS = ("staging", "intermediate", "marts")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def last_build_was_full(warehouse: Path) -> bool:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select full_refresh from raw._transform_inputs order by finished_at desc limit 1"
        ).fetchone()[0]


def differences(warehouse: Path, other: Path) -> dict[str, tuple[int, int]]:
    """Per table of staging, intermediate and marts: (rows only in ``warehouse``, rows only in ``other``), counted
    with EXCEPT ALL (duplicates count); tables that differ only. A table missing on one side is (-1, -1)."""
    query = (
        "select table_schema || '.' || table_name from information_schema.tables where table_catalog = ? "
        f"and table_schema in {SCHEMAS} and table_type = 'BASE TABLE' and not starts_with(table_name, '_') order by 1"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"attach '{other}' as other (read_only)")
        here = con.execute("select current_database()").fetchone()[0]
        mine = [r[0] for r in con.execute(query, [here]).fetchall()]
        theirs = [r[0] for r in con.execute(query, ["other"]).fetchall()]
        found = {t: (-1, -1) for t in set(mine) ^ set(theirs)}
        for table in sorted(set(mine) & set(theirs)):
            a, b = f"{here}.{table}", f"other.{table}"
            only_a = con.execute(f"select count(*) from (from {a} except all from {b})").fetchone()[0]
            only_b = con.execute(f"select count(*) from (from {b} except all from {a})").fetchone()[0]
            if only_a or only_b:
                found[table] = (only_a, only_b)
    return found


def built_both_ways(built: Built, root: Path, write_delta: Callable[[Built, Path], dict]) -> dict:
    """A copy of the session's sample with the delta ``write_delta`` writes (into the next day's export folder)
    built incrementally (``incremental``); then a copy of that warehouse rebuilt in full (``full``, ``run --force``).
    Returns what ``write_delta`` returned, with both. Sets SALES_CONFIG (the caller restores it)."""
    (root / "salesmetrics.yml").write_text(CONFIG)
    os.environ["SALES_CONFIG"] = str(root / "salesmetrics.yml")
    incremental = copy_of_built(built, root / "incremental")
    written = write_delta(incremental, incremental.inbox / "salesforce" / DELTA_DAY)
    refresh_warehouse()
    full = copy_of_built(incremental, root / "full")
    refresh_warehouse(force=True)  # the same raw rows, every model rebuilt
    return {**written, "incremental": incremental, "full": full}


def closing_and_new_deals(incremental: Built, folder: Path) -> dict:
    """An open deal closes won (with a new stage history row), a won deal's amount and one of its lines change, a
    new deal opens with a line."""
    deals = read_rows(incremental.export_dir / "Opportunity.csv")
    lines = read_rows(incremental.export_dir / "OpportunityLineItem.csv")
    history = read_rows(incremental.export_dir / "OpportunityHistory.csv")
    with_lines = {line["OpportunityId"] for line in lines}
    opened = next(r for r in deals if r["IsClosed"] == "false" and r["Amount"] and r["CreatedDate"][:10] <= DELTA_DAY)
    changed = next(r for r in deals if r["IsWon"] == "true" and r["Amount"] and r["Id"] in with_lines)
    won = {"StageName": "Closed Won", "IsClosed": "true", "IsWon": "true", "CloseDate": DELTA_DAY}
    new_id = opened["Id"][:-5] + "ZZNEW"
    delta_deals = [
        {**opened, **won, "Probability": "100", "LastStageChangeDate": f"{DELTA_DAY}T09:00:00.000Z"},
        {**changed, "Amount": f"{Decimal(changed['Amount']) + Decimal('100.25'):.2f}"},
        {**opened, "Id": new_id, "CreatedDate": f"{DELTA_DAY}T09:00:00.000Z", "CloseDate": "2026-07-31"},
    ]
    line = next(r for r in lines if r["OpportunityId"] == changed["Id"])
    new_line = {**line, "Id": line["Id"][:-5] + "ZZNEW", "OpportunityId": new_id}
    delta_lines = [{**line, "Quantity": str(int(line["Quantity"]) + 1)}, new_line]
    entry = next(r for r in history if r["OpportunityId"] == opened["Id"])
    delta_history = [
        {
            **entry,
            "Id": entry["Id"][:-5] + "ZZNEW",
            "StageName": "Closed Won",
            "Probability": "100",
            "CloseDate": DELTA_DAY,
            "CreatedDate": f"{DELTA_DAY}T09:00:00.000Z",
        }
    ]
    write_rows(folder / "Opportunity.csv", delta_deals)
    write_rows(folder / "OpportunityLineItem.csv", delta_lines)
    write_rows(folder / "OpportunityHistory.csv", delta_history)
    return {"changed": changed, "line": line, "opened": opened, "new_id": new_id}


@pytest.fixture(scope="module")
def delta(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Iterator[dict]:
    """The session's sample (4,000 deals up to 2026-06-30) and a delta of the next day (closing_and_new_deals),
    built incrementally and in full."""
    with restored_env("SALES_CONFIG"):
        yield built_both_ways(built, tmp_path_factory.mktemp("incremental"), closing_and_new_deals)


def test_the_delta_is_built_incrementally_and_equals_a_full_rebuild_row_for_row(delta: dict) -> None:
    incremental, full = delta["incremental"].warehouse, delta["full"].warehouse
    assert last_build_was_full(incremental) is False
    assert last_build_was_full(full) is True
    assert differences(incremental, full) == {}
    with duckdb.connect(str(incremental), read_only=True) as con:  # the replace_keys models' key tables are dropped
        left = con.execute("select table_name from duckdb_tables() where ends_with(table_name, '__replaced_keys')")
        assert left.fetchall() == []


def test_the_incremental_build_holds_the_deltas_values(delta: dict) -> None:
    changed, line, opened = delta["changed"], delta["line"], delta["opened"]
    with duckdb.connect(str(delta["incremental"].warehouse), read_only=True) as con:
        amount = con.execute(
            "select amount from marts.fct_opportunities where opportunity_id = ?", [changed["Id"]]
        ).fetchone()
        assert amount == (Decimal(changed["Amount"]) + Decimal("100.25"),)
        quantity = con.execute("select quantity from marts.fct_opportunity_lines where line_id = ?", [line["Id"]])
        assert quantity.fetchone()[0] == int(line["Quantity"]) + 1
        won = con.execute(
            "select status, close_date::varchar from marts.fct_opportunities where opportunity_id = ?", [opened["Id"]]
        ).fetchone()
        assert won == ("won", DELTA_DAY)
        new = con.execute(
            "select status, (select count(*) from marts.fct_opportunity_lines where opportunity_id = ?) "
            "from marts.fct_opportunities where opportunity_id = ?",
            [delta["new_id"], delta["new_id"]],
        ).fetchone()
        assert new == ("open", 1)
        stages = con.execute(
            "select stage from intermediate.int_stage_history_resolved where opportunity_id = ? order by entry_number",
            [opened["Id"]],
        ).fetchall()
        assert stages[-1] == ("Closed Won",)


def test_raw_rows_removed_make_the_next_build_full_and_equal_to_a_full_build(delta: dict, built: Built) -> None:
    """The delta's loads deleted from raw (a load withdrawn by hand): the staging models hold rows raw no longer
    has, so the next build must rebuild everything; it then equals the session's sample, built in full from the
    same raw rows. The dbt snapshot (history) saw the delta and keeps it: int_stage_history_from_snapshot, which
    lists the snapshot, is the one table that differs, by design."""
    incremental = delta["incremental"]
    with duckdb.connect(str(incremental.warehouse)) as con:
        for table in (
            "salesforce__opportunity",
            "salesforce__opportunity_line_item",
            "salesforce__opportunity_history",
        ):
            removed = con.execute(f"delete from raw.{table} where _source_file like ?", [f"%{DELTA_DAY}%"]).fetchone()
            assert removed[0] > 0
    with restored_env("SALES_INBOX", "SALES_WAREHOUSE", "SALES_PUBLISH_DIR", "SALES_REJECTED_DIR"):
        export_root(incremental.warehouse.parent)
        refresh_warehouse()  # the delta's files are still in the inbox, known by checksum: nothing is loaded again
    assert last_build_was_full(incremental.warehouse) is True
    assert differences(incremental.warehouse, built.warehouse).keys() == {
        "intermediate.int_stage_history_from_snapshot"
    }


def deleted_deal(incremental: Built, folder: Path) -> dict:
    """A won deal with lines and stage history comes back flagged IsDeleted (a queryAll export)."""
    lines = {r["OpportunityId"] for r in read_rows(incremental.export_dir / "OpportunityLineItem.csv")}
    history = {r["OpportunityId"] for r in read_rows(incremental.export_dir / "OpportunityHistory.csv")}
    deals = read_rows(incremental.export_dir / "Opportunity.csv")
    deal = next(r for r in deals if r["IsWon"] == "true" and r["Id"] in lines and r["Id"] in history)
    write_rows(folder / "Opportunity.csv", [{**deal, "IsDeleted": "true"}])
    return {"id": deal["Id"]}


def unit_cost_changed(incremental: Built, folder: Path) -> dict:
    """A sold product's unit cost changes (no deal or line changes)."""
    sold = {r["Product2Id"] for r in read_rows(incremental.export_dir / "OpportunityLineItem.csv")}
    products = read_rows(incremental.export_dir / "Product2.csv")
    product = next(r for r in products if r["Unit_Cost__c"] and r["Id"] in sold)
    cost = Decimal(product["Unit_Cost__c"]) + Decimal("1.25")
    write_rows(folder / "Product2.csv", [{**product, "Unit_Cost__c": str(cost)}])
    return {"id": product["Id"], "unit_cost": cost}


def new_manager(incremental: Built, folder: Path) -> dict:
    """A rep who owns open deals gets another manager (no deal changes)."""
    deals = read_rows(incremental.export_dir / "Opportunity.csv")
    owners = {r["OwnerId"] for r in deals if r["IsClosed"] == "false"}
    users = read_rows(incremental.export_dir / "User.csv")
    rep = next(r for r in users if r["Id"] in owners and r["ManagerId"])
    manager = next(r for r in users if r["Id"] not in (rep["Id"], rep["ManagerId"]) and r["Id"] not in owners)
    write_rows(folder / "User.csv", [{**rep, "ManagerId": manager["Id"]}])
    return {"id": rep["Id"], "manager_id": manager["Id"]}


def mapped_export(incremental: Built, folder: Path) -> dict:
    """A mapped export (every canonical entity, tests/integration/canonical_fixture.py) arrives beside the Salesforce
    one: the unions of both sources read its rows as new loads. One of its lines has the id of a Salesforce line,
    which keeps the Salesforce line in both builds."""
    rows = base_rows()
    line = read_rows(incremental.export_dir / "OpportunityLineItem.csv")[0]
    rows["opportunity_lines"].append({**rows["opportunity_lines"][0], "line_id": line["Id"], "quantity": "999"})
    write_export(folder.parent.parent / "crm", rows)
    return {"id": line["Id"], "quantity": int(line["Quantity"])}


def stage_turns_lost(incremental: Built, folder: Path) -> dict:
    """Every deal now in the open stage fewest deals are in (any spelling) closes lost without leaving it: the stage
    becomes a lost stage, and entering it is no conversion any more for the deals that entered it before."""
    deals = read_rows(incremental.export_dir / "Opportunity.csv")
    open_deals = [r for r in deals if r["IsClosed"] == "false"]
    keys = [r["StageName"].strip().lower() for r in open_deals]
    stage = min(set(keys), key=lambda key: (keys.count(key), key))
    lost = {"IsClosed": "true", "IsWon": "false", "Probability": "0", "CloseDate": DELTA_DAY}
    closed = [{**r, **lost} for r, key in zip(open_deals, keys, strict=True) if key == stage]
    write_rows(folder / "Opportunity.csv", closed)
    return {"id": stage, "deals": [r["Id"] for r in closed]}


def new_stage_in_the_order(incremental: Built, folder: Path) -> dict:
    """A new deal enters a stage no deal entered before, as its third stage (after Prospecting and Qualification):
    the new stage takes a place in the middle of the stages' order and moves every stage after it."""
    deals = read_rows(incremental.export_dir / "Opportunity.csv")
    history = read_rows(incremental.export_dir / "OpportunityHistory.csv")
    template = next(r for r in deals if r["IsClosed"] == "false" and r["Amount"])
    new_id = template["Id"][:-5] + "ZZSTG"
    stage = NEW_STAGE
    write_rows(
        folder / "Opportunity.csv",
        [
            {
                **template,
                "Id": new_id,
                "StageName": stage,
                "CreatedDate": "2026-06-01T09:00:00.000Z",
                "CloseDate": "2026-07-31",
                "LastStageChangeDate": f"{DELTA_DAY}T09:00:00.000Z",
            }
        ],
    )
    entry = next(r for r in history if r["OpportunityId"] == template["Id"])
    entries = [("Prospecting", "2026-06-01"), ("Qualification", "2026-06-15"), (stage, DELTA_DAY)]
    write_rows(
        folder / "OpportunityHistory.csv",
        [
            {
                **entry,
                "Id": f"{entry['Id'][:-5]}ZZST{n}",
                "OpportunityId": new_id,
                "StageName": name,
                "CreatedDate": f"{day}T09:00:00.000Z",
            }
            for n, (name, day) in enumerate(entries)
        ],
    )
    return {"id": stage.lower()}


@pytest.fixture(
    scope="module",
    params=[deleted_deal, unit_cost_changed, new_manager, mapped_export, stage_turns_lost, new_stage_in_the_order],
    ids=lambda f: f.__name__,
)
def small_delta(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, built: Built
) -> Iterator[dict]:
    """The session's sample and a delta that changes one thing every deal's rows may depend on, built incrementally
    and in full."""
    with restored_env("SALES_CONFIG"):
        root = tmp_path_factory.mktemp(request.param.__name__)
        yield {**built_both_ways(built, root, request.param), "kind": request.param.__name__}


def stage_orders(warehouse: Path) -> dict[str, tuple[float, int, bool]]:
    """int_stage_orders: each stage's position, rank and lost flag, by its name in lower case."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        query = "select lower(stage), stage_position, stage_rank, is_lost_stage from intermediate.int_stage_orders"
        return {stage: tuple(rest) for stage, *rest in con.execute(query).fetchall()}


def test_each_small_delta_builds_as_a_full_rebuild_does(small_delta: dict, built: Built) -> None:
    incremental, full = small_delta["incremental"].warehouse, small_delta["full"].warehouse
    assert last_build_was_full(incremental) is False
    assert differences(incremental, full) == {}
    with duckdb.connect(str(incremental), read_only=True) as con:

        def one(sql: str) -> list[tuple]:
            return con.execute(sql, [small_delta["id"]]).fetchall()

        if small_delta["kind"] == "deleted_deal":
            assert one("select count(*) from marts.fct_deleted_opportunities where opportunity_id = ?") == [(1,)]
            for table in ("int_opportunities_attributed", "int_opportunity_lines_costed", "int_stage_history_resolved"):
                assert one(f"select count(*) from intermediate.{table} where opportunity_id = ?") == [(0,)]
        elif small_delta["kind"] == "mapped_export":
            assert one("select quantity from marts.fct_opportunity_lines where line_id = ?") == [
                (small_delta["quantity"],)
            ]
            mapped = con.execute("select count(*) from marts.fct_opportunity_lines where line_id like 'OL%'")
            assert mapped.fetchone()[0] == len(base_rows()["opportunity_lines"])
        elif small_delta["kind"] == "stage_turns_lost":
            # the stage was open; entries of deals the delta did not touch converted through it before
            assert stage_orders(built.warehouse)[small_delta["id"]][2] is False
            assert stage_orders(incremental)[small_delta["id"]][2] is True
            con.execute(f"attach '{built.warehouse}' as before (read_only)")
            moved = con.execute(
                "select count(distinct opportunity_id) from intermediate.int_stage_entries_measured as now "
                "inner join before.intermediate.int_stage_entries_measured as was "
                "using (opportunity_id, known_entry_number) "
                "where now.converted <> was.converted and not list_contains(?, opportunity_id)",
                [small_delta["deals"]],
            )
            assert moved.fetchone()[0] > 0
        elif small_delta["kind"] == "new_stage_in_the_order":
            # entered third: position 3.0; every stage after it moves one rank up
            before, after = stage_orders(built.warehouse), stage_orders(incremental)
            assert after.pop(small_delta["id"]) == (3.0, 1 + sum(p < 3 for p, _, _ in before.values()), False)
            assert {s: r for s, (_, r, _) in after.items()} == {s: r + (p > 3) for s, (p, r, _) in before.items()}
        elif small_delta["kind"] == "unit_cost_changed":
            costs = one("select distinct unit_cost from intermediate.int_opportunity_lines_costed where product_id = ?")
            assert costs == [(small_delta["unit_cost"],)]
        else:
            managers = one(
                "select distinct manager_id from intermediate.int_opportunities_attributed "
                "where owner_id = ? and status = 'open'"
            )
            assert managers == [(small_delta["manager_id"],)]
