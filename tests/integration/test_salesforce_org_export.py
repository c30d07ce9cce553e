"""A genuine Salesforce org export's quirks, end to end: ingest → audit → transform.

The org's weekly Data Export was refused ("cannot be read as CSV") and moved to rejected/. Its files end the
header line in LF but every data line in CRLF, quote every header, write every empty field as the quoted
literal ``"#N/A"`` and numbers in scientific notation (Amount ``1.5E4``, AnnualRevenue ``1.03444E11``). The
fixture below is made here with exactly those quirks (no real export is copied).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import export_root

NA = "#N/A"

ACCOUNTS = [
    # Id, Name, Type, Industry, AnnualRevenue, BillingCountry, OwnerId, CreatedDate, IsDeleted
    ("0015g00000AcmeAAA", "Acme Corp", "Customer", "Manufacturing", "1.03444E11", "US", "0055g00000RepAAAA",
     "2025-01-06T09:00:00.000Z", "false"),
    ("0015g00000BetaAAA", "Beta, Inc.", NA, NA, NA, NA, "0055g00000RepBBBB", "2025-02-03T09:00:00.000Z", "false"),
]  # fmt: skip
USERS = [
    # Id, Name, FirstName, LastName, Email, Title, ManagerId, Department, Division, IsActive, CreatedDate
    ("0055g00000RepAAAA", "Ada Lovelace", "Ada", "Lovelace", "ada@example.com", "AE", NA, "East", "EMEA", "true",
     "2024-01-02T09:00:00.000Z"),
    ("0055g00000RepBBBB", "Ben Okafor", "Ben", "Okafor", "ben@example.com", NA, "0055g00000RepAAAA", "East", "EMEA",
     "true", "2024-01-02T09:00:00.000Z"),
]  # fmt: skip
OPPORTUNITIES = [
    # Id, AccountId, OwnerId, Name, StageName, Amount, Probability, CloseDate, CreatedDate, IsClosed, IsWon,
    # LeadSource, Type, CampaignId
    ("0065g00000Opp1AAA", "0015g00000AcmeAAA", "0055g00000RepAAAA", "Acme - Platform", "Closed Won", "1.5E4", "1.0E2",
     "2026-03-10", "2026-01-05T10:00:00.000Z", "true", "true", "Web", "New Business", NA),
    ("0065g00000Opp2AAA", "0015g00000AcmeAAA", "0055g00000RepBBBB", "Acme - Add-on", "Closed Won", "2.50075E3",
     "100", "2026-03-20", "2026-02-01T10:00:00.000Z", "true", "true", NA, NA, NA),
    ("0065g00000Opp3AAA", "0015g00000BetaAAA", "0055g00000RepBBBB", "Beta - Pilot", "Closed Lost", "8E3", "0",
     "2026-03-25", "2026-02-11T10:00:00.000Z", "true", "false", NA, "New Business", NA),
    ("0065g00000Opp4AAA", "0015g00000BetaAAA", "0055g00000RepAAAA", "Beta - Suite", "Prospecting", NA, "1E1",
     "2026-06-30", "2026-03-01T10:00:00.000Z", "false", "false", "Phone Inquiry", NA, NA),
]  # fmt: skip
HEADERS = {
    "Account": ("Id", "Name", "Type", "Industry", "AnnualRevenue", "BillingCountry", "OwnerId", "CreatedDate",
                "IsDeleted"),
    "User": ("Id", "Name", "FirstName", "LastName", "Email", "Title", "ManagerId", "Department", "Division",
             "IsActive", "CreatedDate"),
    "Opportunity": ("Id", "AccountId", "OwnerId", "Name", "StageName", "Amount", "Probability", "CloseDate",
                    "CreatedDate", "IsClosed", "IsWon", "LeadSource", "Type", "CampaignId"),
}  # fmt: skip


def org_export_bytes(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    """As the org writes it: quoted header ending in LF, every data line quoted and ending in CRLF."""
    quoted = lambda values: ",".join('"' + v.replace('"', '""') + '"' for v in values)  # noqa: E731
    return (quoted(header) + "\n" + "".join(quoted(row) + "\r\n" for row in rows)).encode("utf-8")


def write_org_export(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, rows in (("Account", ACCOUNTS), ("User", USERS), ("Opportunity", OPPORTUNITIES)):
        (folder / f"{name}.csv").write_bytes(org_export_bytes(HEADERS[name], rows))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("org_export")
    write_org_export(root / "inbox" / "salesforce" / "2026-06-30")
    paths = export_root(root)
    refresh_warehouse()
    return paths.warehouse, root / "rejected"


def test_the_fixture_has_the_org_exports_quirks(tmp_path: Path) -> None:
    write_org_export(tmp_path / "x")
    data = (tmp_path / "x" / "Opportunity.csv").read_bytes()
    first, rest = data.split(b"\n", 1)
    assert not first.endswith(b"\r") and first.startswith(b'"Id","AccountId"')
    assert rest.count(b"\r\n") == rest.count(b"\n") == len(OPPORTUNITIES)
    assert b',"#N/A",' in rest and b'"1.5E4"' in rest


def test_every_row_lands_nothing_is_rejected_or_quarantined(warehouse: tuple[Path, Path]) -> None:
    path, rejected = warehouse
    assert not rejected.exists() or not any(rejected.iterdir())
    with duckdb.connect(str(path), read_only=True) as con:
        counts = {
            t: con.execute(f"select count(*) from raw.salesforce__{t}").fetchone()[0]
            for t in ("account", "user", "opportunity")
        }
        quarantined = {
            t: con.execute(f"select count(*) from quarantine.salesforce__{t}").fetchone()[0]
            for t in ("account", "user", "opportunity")
        }
        statuses = con.execute("select distinct status from raw._ingest_log").fetchall()
    assert counts == {"account": 2, "user": 2, "opportunity": 4}
    assert quarantined == {"account": 0, "user": 0, "opportunity": 0}
    assert statuses == [("accepted",)]


def test_values_are_exact_and_na_is_null(warehouse: tuple[Path, Path]) -> None:
    path, _ = warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        amounts = con.execute(
            "select opportunity_id, amount, probability, lead_source, campaign_id "
            "from staging.stg_salesforce__opportunities order by opportunity_id"
        ).fetchall()
        revenue = con.execute(
            "select revenue, deals_won, deals_lost from marts.sales_by_period "
            "where grain = 'month' and period_start = date '2026-03-01'"
        ).fetchone()
        raw_na = con.execute(
            """select count(*) from raw.salesforce__opportunity where "CampaignId" is not null
               or "Amount" = '#N/A' or "LeadSource" = '#N/A'"""
        ).fetchone()[0]
        annual = con.execute(
            """select "Id", try_cast("AnnualRevenue" as decimal(38, 2)), "Industry" from raw.salesforce__account
               order by "Id" """
        ).fetchall()
    assert [(a[0], a[1], a[3], a[4]) for a in amounts] == [
        ("0065g00000Opp1AAA", Decimal("15000.00"), "Web", None),
        ("0065g00000Opp2AAA", Decimal("2500.75"), None, None),
        ("0065g00000Opp3AAA", Decimal("8000.00"), None, None),
        ("0065g00000Opp4AAA", None, "Phone Inquiry", None),
    ]
    assert [a[2] for a in amounts] == [Decimal("1"), Decimal("1"), Decimal("0"), Decimal("0.1")]
    assert revenue == (Decimal("17500.75"), 2, 1)
    assert raw_na == 0
    assert annual == [
        ("0015g00000AcmeAAA", Decimal("103444000000.00"), "Manufacturing"),
        ("0015g00000BetaAAA", None, None),
    ]
