"""Restatements: a late export changes three deals of a published month; the next version says exactly what moved."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import Built, copy_of_built
from tests.integration.test_publish import publish

MONTH = "2026-04"
# KPIs the three deals cannot move: the won and lost counts stay equal (one deal won into April, one out of it),
# and leads, spend, quotas and fixed costs do not come from deals.
UNMOVED = {
    "deals_won",
    "deals_lost",
    "win_rate",
    "opportunities_created",
    "pipeline_created_amount",
    "leads_created",
    "lead_conversion_rate",
    "marketing_spend",
    "quota",
    "fixed_costs",
}


@pytest.fixture(scope="module")
def restated(tmp_path_factory: pytest.TempPathFactory, built: Built) -> dict:
    """Publish April 2026; a late export edits one April amount, backdates a later close into April and moves an
    April win back to an open stage; run and publish again."""
    built = copy_of_built(built, tmp_path_factory.mktemp("restate"))  # the session's sample, not built again
    code, output = publish(built, "monthly", MONTH)
    assert code == 0, output
    with (built.export_dir / "Opportunity.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    before = [dict(r) for r in rows]

    def won_closing(prefix: str) -> list[dict]:
        won = [r for r in rows if r["IsWon"] == "true" and r["CloseDate"][:7] in prefix]
        return [r for r in won if r["CreatedDate"] < "2026-04-15"]

    edited, moved_back = won_closing(MONTH)[:2]
    backdated = won_closing(("2026-05", "2026-06"))[0]
    edited["Amount"] = f"{Decimal(edited['Amount']) + Decimal('1234.56'):.2f}"
    backdated["CloseDate"] = "2026-04-20"
    moved_back.update(StageName="Negotiation/Review", IsWon="false", IsClosed="false", CloseDate="2026-07-31")
    moved_back.update(Probability="80", ForecastCategoryName="Commit")
    late = built.inbox / "salesforce" / "2026-07-02"
    late.mkdir(parents=True)
    with (late / "Opportunity.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    refresh_warehouse()
    code, output = publish(built, "monthly", MONTH)
    assert code == 0 and f"new version monthly-{MONTH}-v2" in output, output
    return {
        "output": output,
        "built": built,
        "before": before,
        "after": rows,
        "deals": {edited["Id"], backdated["Id"], moved_back["Id"]},
        "folder": built.warehouse.parent / "published" / "monthly" / MONTH / "v2",
    }


def month_revenue(rows: list[dict]) -> Decimal:
    return sum(
        (Decimal(r["Amount"]) for r in rows if r["IsWon"] == "true" and r["CloseDate"].startswith(MONTH)), Decimal(0)
    )


def query(built: Built, sql: str) -> list[tuple]:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_exactly_the_three_deals_are_listed_with_the_export_that_changed_them(restated: dict) -> None:
    deals = query(
        restated["built"],
        "select opportunity_id, change, old_status, new_status, source_file from snapshots.restated_opportunities "
        f"where period = '{MONTH}' and version = 2",
    )
    assert {d[0] for d in deals} == restated["deals"]
    assert all(Path(d[4]).parent.name == "2026-07-02" and Path(d[4]).name == "Opportunity.csv" for d in deals)
    changes = {d[1] for d in deals}
    assert changes == {"amount changed", "close date changed", "status, stage, close date changed"}
    assert sorted((d[2], d[3]) for d in deals) == [("won", "open"), ("won", "won"), ("won", "won")]


def test_the_kpis_they_move_are_listed_old_and_new_to_the_cent(restated: dict) -> None:
    built = restated["built"]
    listed = {
        (r[0], r[1]): r[2:]
        for r in query(
            built,
            "select scope_id, kpi, old_value, new_value, opportunity_ids, changed_by from snapshots.restatements "
            f"where period = '{MONTH}' and version = 2 and previous_version = 1",
        )
    }
    old, new, deals, changed_by = listed[("company", "revenue")]
    assert (old, new) == (month_revenue(restated["before"]), month_revenue(restated["after"]))
    assert new - old != 0 and set(deals.split(", ")) == restated["deals"] and changed_by.endswith("Opportunity.csv")
    assert f"{len(listed)} KPI values restated (snapshots.restatements)" in restated["output"]
    company = {kpi for scope_id, kpi in listed if scope_id == "company"}
    assert {"revenue", "win_rate_by_amount", "avg_deal_size"} <= company
    assert not company & UNMOVED, company & UNMOVED
    # Every KPI whose actual differs between the versions is listed, with both values; no other is.
    differing = query(
        built,
        f"""select n.scope_id, n.kpi, o.actual, n.actual
        from snapshots.kpi_monthly o join snapshots.kpi_monthly n using (period, scope, scope_id, kpi)
        where period = '{MONTH}' and o.version = 1 and n.version = 2 and o.actual is distinct from n.actual""",
    )
    assert {(s, k): (o, n) for s, k, o, n in differing} == {key: value[:2] for key, value in listed.items()}
    # A rep is listed only for the deals it owns: the owners of the three deals, nobody else.
    owners = {r["OwnerId"] for r in restated["after"] if r["Id"] in restated["deals"]}
    reps = {scope_id for (scope_id, _), _ in listed.items() if scope_id.startswith("005")}
    assert reps <= owners and reps
    for (scope_id, _), (_, _, rep_deals, _) in listed.items():
        if scope_id in owners:
            assert set(rep_deals.split(", ")) <= restated["deals"]


def test_the_page_and_the_workbook_show_what_changed_since_version_1(restated: dict) -> None:
    folder = restated["folder"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "What changed since version 1" in page
    assert all(f'data-opportunity="{deal}"' in page for deal in restated["deals"])
    old, new = month_revenue(restated["before"]), month_revenue(restated["after"])
    assert f"${old:,.2f}" in page and f"${new:,.2f}" in page
    book = openpyxl.load_workbook(next(folder.glob("*.xlsx")))
    assert {"Restatements", "Restated deals"} <= set(book.sheetnames)
    sheet = book["Restatements"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in line), strict=True)) for line in sheet.iter_rows(min_row=2)]
    revenue = next(r for r in rows if r["KPI"] == "revenue" and r["Scope"] == "company")
    assert (Decimal(str(revenue["Old value"])), Decimal(str(revenue["New value"]))) == (old, new)
    assert {r["Opportunity ID"] for r in rows_of(book["Restated deals"])} == restated["deals"]
    first = (folder.parent / "v1" / "index.html").read_text(encoding="utf-8")
    assert "What changed since" not in first


def rows_of(sheet) -> list[dict]:  # noqa: ANN001
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in line), strict=True)) for line in sheet.iter_rows(min_row=2)]
