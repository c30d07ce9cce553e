"""The org as it was (issue 18, part 6): a closed deal is credited to its owner's manager, team and region at close.

Two User exports, 2026-01-01 and 2026-04-01: between them Rosa moves from team East (manager Max, region EMEA) to
team West (manager Wen, region AMER); Sam stays in East. Rosa's deals closed in February and March count for East,
those closed from April 1 (the export that first shows the move) for West; a deal closed before the first User
export has no history and takes today's org, as does an open deal (org_as_of = 'current'). The marts people read
by team, manager or region (rep_performance, the scorecard's team scope, region_performance) credit the same
way; Rosa's February quota stays on her row of today's org (West).

A second build reads a HubSpot deals export with a reps history file (Rep ID, Manager, Team, Region, Valid from;
the built-in rep_history mapping): Ana's deals go to the team valid at their close, a bad history row is
quarantined with its rule.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import export_root, restored_env

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
    quota = [("0QF5g0000000Q1AAA", ROSA, "2026-02-01", "900.00")]  # no PeriodId: one month from StartDate
    write(april, "ForecastingQuota", ["Id", "QuotaOwnerId", "StartDate", "QuotaAmount"], quota)
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


QUARTERS = "period_start between date '2025-10-01' and date '2026-04-01'"


def test_rep_performance_has_a_row_per_team_the_rep_closed_deals_in(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select period_start, team, manager_name, region, org_as_of, revenue, deals_won, deals_lost, lost_amount, "
        "quota, open_opportunities, open_pipeline_amount from marts.rep_performance "
        f"where grain = 'quarter' and rep_id = '{ROSA}' and {QUARTERS} order by period_start, team",
    )
    d = Decimal
    assert rows == [
        # D0 closed before the first User export: today's org; at Dec 31 D1-D5 are open
        (date(2025, 10, 1), "West", "Wen", "AMER", "current", d("100"), 1, 0, d("0"), None, 5, d("15500")),
        # Q1: D1 + D2 closed in East; quota and the open deals (D3, D4, D5 at Mar 31) on today's org (West)
        (date(2026, 1, 1), "East", "Max", "EMEA", "close", d("3000"), 2, 0, d("0"), None, 0, d("0")),
        (date(2026, 1, 1), "West", "Wen", "AMER", "current", d("0"), 0, 0, d("0"), d("900"), 3, d("12500")),
        # Q2: D3 won and D4 lost in West; D5 still open
        (date(2026, 4, 1), "West", "Wen", "AMER", "close", d("4000"), 1, 1, d("8000"), None, 1, d("500")),
    ]


def test_the_scorecards_team_scope_sums_deals_by_the_team_at_close(warehouse: Path) -> None:
    got = query(
        warehouse,
        "select scope, scope_id, grain, period_start, kpi, actual from marts.kpi_scorecard "
        "where scope in ('team', 'rep') and kpi in ('revenue', 'deals_won', 'quota') "
        "and grain in ('quarter', 'year') and (grain = 'year' or period_start >= date '2025-10-01') "
        "and period_start <= date '2026-04-01' "
        "and not (scope = 'rep' and scope_id <> '" + ROSA + "') order by 1, 2, 3, 4, 5",
    )
    d = Decimal
    q4, q1, q2, y25, y26 = date(2025, 10, 1), date(2026, 1, 1), date(2026, 4, 1), date(2025, 1, 1), date(2026, 1, 1)
    assert got == [
        ("rep", ROSA, "quarter", q4, "deals_won", d("1")),
        ("rep", ROSA, "quarter", q4, "quota", None),
        ("rep", ROSA, "quarter", q4, "revenue", d("100")),
        ("rep", ROSA, "quarter", q1, "deals_won", d("2")),
        ("rep", ROSA, "quarter", q1, "quota", d("900")),
        ("rep", ROSA, "quarter", q1, "revenue", d("3000")),
        ("rep", ROSA, "quarter", q2, "deals_won", d("1")),
        ("rep", ROSA, "quarter", q2, "quota", None),
        ("rep", ROSA, "quarter", q2, "revenue", d("4000")),
        ("rep", ROSA, "year", y25, "deals_won", d("1")),
        ("rep", ROSA, "year", y25, "quota", None),
        ("rep", ROSA, "year", y25, "revenue", d("100")),
        ("rep", ROSA, "year", y26, "deals_won", d("3")),
        ("rep", ROSA, "year", y26, "quota", d("900")),
        ("rep", ROSA, "year", y26, "revenue", d("7000")),
        # East: Rosa's Q1 deals (before her move) and Sam's May deal; no quota (Rosa's stays with West)
        ("team", "East", "quarter", q4, "deals_won", d("0")),
        ("team", "East", "quarter", q4, "quota", None),
        ("team", "East", "quarter", q4, "revenue", d("0")),
        ("team", "East", "quarter", q1, "deals_won", d("2")),
        ("team", "East", "quarter", q1, "quota", None),
        ("team", "East", "quarter", q1, "revenue", d("3000")),
        ("team", "East", "quarter", q2, "deals_won", d("1")),
        ("team", "East", "quarter", q2, "quota", None),
        ("team", "East", "quarter", q2, "revenue", d("300")),
        ("team", "East", "year", y25, "deals_won", d("0")),
        ("team", "East", "year", y25, "quota", None),
        ("team", "East", "year", y25, "revenue", d("0")),
        ("team", "East", "year", y26, "deals_won", d("3")),
        ("team", "East", "year", y26, "quota", None),
        ("team", "East", "year", y26, "revenue", d("3300")),
        # West: Rosa from April 1, and the December deal no history covers (today's org)
        ("team", "West", "quarter", q4, "deals_won", d("1")),
        ("team", "West", "quarter", q4, "quota", None),
        ("team", "West", "quarter", q4, "revenue", d("100")),
        ("team", "West", "quarter", q1, "deals_won", d("0")),
        ("team", "West", "quarter", q1, "quota", d("900")),
        ("team", "West", "quarter", q1, "revenue", d("0")),
        ("team", "West", "quarter", q2, "deals_won", d("1")),
        ("team", "West", "quarter", q2, "quota", None),
        ("team", "West", "quarter", q2, "revenue", d("4000")),
        ("team", "West", "year", y25, "deals_won", d("1")),
        ("team", "West", "year", y25, "quota", None),
        ("team", "West", "year", y25, "revenue", d("100")),
        ("team", "West", "year", y26, "deals_won", d("1")),
        ("team", "West", "year", y26, "quota", d("900")),
        ("team", "West", "year", y26, "revenue", d("4000")),
    ]


def test_region_performance_falls_back_to_the_owners_region_at_close(warehouse: Path) -> None:
    # Neither the deals nor the account carry a region: each deal takes its owner's (Division) at close.
    assert query(
        warehouse,
        "select period_start, region, country, revenue from marts.region_performance "
        f"where grain = 'quarter' and {QUARTERS} and revenue > 0 order by 1, 2",
    ) == [
        (date(2025, 10, 1), "AMER", "unknown", Decimal("100")),
        (date(2026, 1, 1), "EMEA", "unknown", Decimal("3000")),
        (date(2026, 4, 1), "AMER", "unknown", Decimal("4000")),
        (date(2026, 4, 1), "EMEA", "unknown", Decimal("300")),
    ]


HUBSPOT_HEADER = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner",
                  "Pipeline", "Associated Company IDs"]  # fmt: skip
# Record ID → owner, stage, amount, close date, and the (team, manager, rep region, org_as_of) it is credited to
HUBSPOT_DEALS = {
    "H1": ("Ana Lopez", "Closed won", "50.00", "2025-12-20", (None, None, None, "current")),  # before her history
    "H2": ("Ana Lopez", "Closed won", "1000.50", "2026-02-10", ("North", "Kim", "EMEA", "close")),
    "H3": ("Ana Lopez", "Closed won", "2000.25", "2026-03-15", ("South", "Lee", "AMER", "close")),
    "H4": ("Ben Ode", "Closed won", "700.00", "2026-03-03", ("North", "Kim", "EMEA", "close")),
    "H5": ("Ana Lopez", "Closed lost", "400.00", "2026-03-01", ("South", "Lee", "AMER", "close")),  # her move's day
    "H6": ("Ana Lopez", "Appointment scheduled", "999.00", "2026-06-30", (None, None, None, "current")),  # open
}
HISTORY_HEADER = ["Rep ID", "Manager ID", "Manager", "Team", "Region", "Valid from"]
HISTORY = [
    ("Ana Lopez", "", "Kim", "North", "EMEA", "2026-01-01"),
    ("Ana Lopez", "", "Lee", "South", "AMER", "2026-03-01"),
    ("Ben Ode", "", "Kim", "North", "EMEA", "2026-01-01"),
    ("", "", "Kim", "North", "EMEA", "2026-01-01"),  # line 5: no rep
    ("Ben Ode", "", "Kim", "South", "AMER", "first of May"),  # line 6: no date
]


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("org_history_mapped")
    # a small file: its two bad lines are 40 % of it, above the default share a file may lose before it is refused
    (root / "salesmetrics.yml").write_text("audit:\n  quarantine_max_share: 0.5\n")
    inbox = root / "inbox" / "hubspot"
    deals = [(i, f"Deal {i}", stage, amount, f"{close} 10:00", "2025-11-02 09:00", owner, "default", "")
             for i, (owner, stage, amount, close, _) in HUBSPOT_DEALS.items()]  # fmt: skip
    write(inbox, "hubspot-crm-exports-all-deals-2026-06-01", HUBSPOT_HEADER, deals)
    write(inbox, "rep_history", HISTORY_HEADER, HISTORY)
    with restored_env("SALES_CONFIG"):
        os.environ["SALES_CONFIG"] = str(root / "salesmetrics.yml")
        paths = export_root(root)
        refresh_warehouse()
        yield paths.warehouse


def test_a_reps_history_file_credits_mapped_deals_to_the_team_valid_at_close(mapped: Path) -> None:
    got = {
        row[0]: row[1:]
        for row in query(
            mapped, "select opportunity_id, team, manager_name, rep_region, org_as_of from marts.fct_opportunities"
        )
    }
    assert got == {i: deal[4] for i, deal in HUBSPOT_DEALS.items()}
    assert query(
        mapped,
        "select scope_id, grain, period_start, kpi, actual from marts.kpi_scorecard where scope = 'team' "
        "and kpi in ('revenue', 'deals_won', 'deals_lost') and grain in ('month', 'quarter') "
        "and period_start between date '2026-01-01' and date '2026-03-01' order by 2, 1, 3, 4",
    ) == [
        ("North", "month", date(2026, 2, 1), "deals_lost", Decimal("0")),
        ("North", "month", date(2026, 2, 1), "deals_won", Decimal("1")),
        ("North", "month", date(2026, 2, 1), "revenue", Decimal("1000.50")),
        ("North", "month", date(2026, 3, 1), "deals_lost", Decimal("0")),
        ("North", "month", date(2026, 3, 1), "deals_won", Decimal("1")),
        ("North", "month", date(2026, 3, 1), "revenue", Decimal("700.00")),
        ("South", "month", date(2026, 3, 1), "deals_lost", Decimal("1")),
        ("South", "month", date(2026, 3, 1), "deals_won", Decimal("1")),
        ("South", "month", date(2026, 3, 1), "revenue", Decimal("2000.25")),
        ("North", "quarter", date(2026, 1, 1), "deals_lost", Decimal("0")),
        ("North", "quarter", date(2026, 1, 1), "deals_won", Decimal("2")),
        ("North", "quarter", date(2026, 1, 1), "revenue", Decimal("1700.50")),
        ("South", "quarter", date(2026, 1, 1), "deals_lost", Decimal("1")),
        ("South", "quarter", date(2026, 1, 1), "deals_won", Decimal("1")),
        ("South", "quarter", date(2026, 1, 1), "revenue", Decimal("2000.25")),
    ]


def test_a_bad_reps_history_row_is_quarantined_with_its_rule(mapped: Path) -> None:
    assert query(mapped, "select _source_line, rule from quarantine.canonical__rep_history order by 1") == [
        (5, "rep_id__not_null"),
        (6, "valid_from__parseable"),
    ]
    assert query(mapped, "select count(*) from staging.stg_canonical__rep_history") == [(3,)]
