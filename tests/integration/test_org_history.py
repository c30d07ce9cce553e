"""The org as it was (issue 18, part 6): a closed deal is credited to its owner's manager, team and region at close.

Two User exports, 2026-01-01 and 2026-04-01: between them Rosa moves from team East (manager Max, region EMEA) to
team West (manager Wen, region AMER); Sam stays in East. Rosa's deals closed in February and March count for East,
those closed from April 1 (the export that first shows the move) for West; a deal closed before the first User
export has no history and takes today's org, as does an open deal (org_as_of = 'current').
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import export_root

ROSA, SAM, MAX, WEN = "0055g00000RosaAAA", "0055g00000SamAAAA", "0055g00000MaxAAAA", "0055g00000WenAAAA"
USER_HEADER = ["Id", "Name", "ManagerId", "Department", "Division", "IsActive"]
MANAGERS = [(MAX, "Max", "", "Leadership", "EMEA", "true"), (WEN, "Wen", "", "Leadership", "AMER", "true")]
USERS_JANUARY = [*MANAGERS, (ROSA, "Rosa", MAX, "East", "EMEA", "true"), (SAM, "Sam", MAX, "East", "EMEA", "true")]
USERS_APRIL = [*MANAGERS, (ROSA, "Rosa", WEN, "West", "AMER", "true"), (SAM, "Sam", MAX, "East", "EMEA", "true")]
ACCOUNT = "0015g00000AcmeAAA"
# Id → owner, stage, amount, close date, and the (team, manager, rep region, org_as_of) it is credited to
DEALS = {
    "0065g0000000D0AAA": (ROSA, "Closed Won", "100.00", "2025-12-15", ("West", "Wen", "AMER", "current")),
    "0065g0000000D1AAA": (ROSA, "Closed Won", "1000.00", "2026-02-10", ("East", "Max", "EMEA", "close")),
    "0065g0000000D2AAA": (ROSA, "Closed Won", "2000.00", "2026-03-31", ("East", "Max", "EMEA", "close")),
    "0065g0000000D3AAA": (ROSA, "Closed Won", "4000.00", "2026-04-01", ("West", "Wen", "AMER", "close")),
    "0065g0000000D4AAA": (ROSA, "Closed Lost", "8000.00", "2026-05-20", ("West", "Wen", "AMER", "close")),
    "0065g0000000D5AAA": (ROSA, "Prospecting", "500.00", "2026-03-01", ("West", "Wen", "AMER", "current")),
    "0065g0000000S1AAA": (SAM, "Closed Won", "300.00", "2026-05-05", ("East", "Max", "EMEA", "close")),
}


def write(folder: Path, name: str, header: list[str], rows: list[tuple[str, ...]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{name}.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Path:
    root = tmp_path_factory.mktemp("org_history")
    exports = root / "inbox" / "salesforce"
    write(exports / "2026-01-01", "User", USER_HEADER, USERS_JANUARY)
    april = exports / "2026-04-01"
    write(april, "User", USER_HEADER, USERS_APRIL)
    write(april, "Account", ["Id", "Name", "OwnerId"], [(ACCOUNT, "Acme", SAM)])
    header = ["Id", "AccountId", "OwnerId", "StageName", "Amount", "CloseDate", "CreatedDate"]
    deals = [(i, ACCOUNT, owner, stage, amount, close, "2025-11-02T09:00:00.000Z")
             for i, (owner, stage, amount, close, _) in DEALS.items()]  # fmt: skip
    write(april, "Opportunity", header, deals)
    paths = export_root(root)
    refresh_warehouse()
    return paths.warehouse


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_history_has_rosas_move_dated_at_the_export_that_shows_it(warehouse: Path) -> None:
    assert query(
        warehouse,
        "select rep_id, team, manager_name, region, valid_from, valid_to from intermediate.int_rep_org_history "
        f"where rep_id in ('{ROSA}', '{SAM}') order by rep_id, valid_from",
    ) == [
        (ROSA, "East", "Max", "EMEA", date(2026, 1, 1), date(2026, 4, 1)),
        (ROSA, "West", "Wen", "AMER", date(2026, 4, 1), None),
        (SAM, "East", "Max", "EMEA", date(2026, 1, 1), None),
    ]


def test_each_deal_is_credited_to_the_org_at_its_close(warehouse: Path) -> None:
    got = {
        row[0]: row[1:]
        for row in query(
            warehouse, "select opportunity_id, team, manager_name, rep_region, org_as_of from marts.fct_opportunities"
        )
    }
    assert got == {i: deal[4] for i, deal in DEALS.items()}


def test_a_rep_who_changed_team_counts_for_the_old_team_before_the_move_and_the_new_after(warehouse: Path) -> None:
    won = query(
        warehouse,
        "select team, strftime(close_date, '%Y-%m'), sum(amount) from marts.fct_opportunities "
        "where status = 'won' and org_as_of = 'close' group by all order by 1, 2",
    )
    assert won == [
        ("East", "2026-02", Decimal("1000.00")),
        ("East", "2026-03", Decimal("2000.00")),
        ("East", "2026-05", Decimal("300.00")),  # Sam, who stayed
        ("West", "2026-04", Decimal("4000.00")),
    ]
