"""Deals deleted in the CRM leave the facts, and a published month that counted them is restated.

April 2026 is published (version 1). A later Opportunity export (a queryAll export: it carries IsDeleted) marks one
April win deleted and leaves out another April win. With `ingest: opportunity_exports_complete: false` (the
default) only the flagged deal leaves the facts; the omitted one stays (a delta export leaves deals out too). Set
to true, with no new export, dbt must build again (the setting is part of what decides it) and the omitted deal
leaves as well. Publishing April again makes version 2, which lists exactly those two deals as deleted and the
KPIs they move, old and new value to the cent.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import Built, copy_of_built, restored_env
from tests.integration.test_publish import publish

MONTH = "2026-04"
LATE = "2026-07-02"


def config(complete: bool) -> str:
    return f"ingest:\n  opportunity_exports_complete: {str(complete).lower()}\n"


def query(built: Built, sql: str) -> list[tuple]:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def april(rows: list[dict], status: str) -> list[dict]:
    flag = {"won": ("true", "true"), "lost": ("true", "false")}[status]
    return [r for r in rows if (r["IsClosed"], r["IsWon"]) == flag and r["CloseDate"].startswith(MONTH)]


@pytest.fixture(scope="module")
def deleted(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("deleted")
    settings = root / "salesmetrics.yml"
    with restored_env("SALES_CONFIG"):
        settings.write_text(config(complete=False))
        os.environ["SALES_CONFIG"] = str(settings)
        sample = str(built.export_dir / "Opportunity.csv")  # where the session's sample was loaded from
        built = copy_of_built(built, root)  # the default setting (not complete), as the sample was built with
        code, output = publish(built, "monthly", MONTH)
        assert code == 0, output
        with (built.export_dir / "Opportunity.csv").open(newline="", encoding="utf-8") as handle:
            before = list(csv.DictReader(handle))
        won = april(before, "won")
        flagged = won[0]
        omitted = next(r for r in won[1:] if r["OwnerId"] != flagged["OwnerId"])
        # a deal whose row in the newer export the audit quarantines is not missing from it: it keeps its old row
        spoiled = next(r for r in won[1:] if r["Id"] != omitted["Id"])
        late = built.inbox / "salesforce" / LATE
        late.mkdir(parents=True)
        with (late / "Opportunity.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*before[0], "IsDeleted"])
            writer.writeheader()
            writer.writerows(
                {**r, "IsDeleted": "true" if r["Id"] == flagged["Id"] else "false"}
                | ({"Amount": "-5.00"} if r["Id"] == spoiled["Id"] else {})
                for r in before
                if r["Id"] != omitted["Id"]
            )
        refresh_warehouse()
        incomplete = {
            "facts": {r[0] for r in query(built, "select opportunity_id from marts.fct_opportunities")},
            "deleted": query(built, "select opportunity_id, deleted_by from marts.fct_deleted_opportunities"),
        }
        settings.write_text(config(complete=True))
        refresh_warehouse()  # no new export: only the setting changed
        code, output = publish(built, "monthly", MONTH)
        assert code == 0 and f"new version monthly-{MONTH}-v2" in output, output
        yield {
            "built": built,
            "before": before,
            "flagged": flagged,
            "omitted": omitted,
            "spoiled": spoiled,
            "late": str(late / "Opportunity.csv"),
            "sample": sample,
            "incomplete": incomplete,
            "output": output,
            "folder": built.warehouse.parent / "published" / "monthly" / MONTH / "v2",
        }


def test_flagged_deal_leaves_the_facts_and_an_omitted_one_stays_while_exports_are_not_complete(
    deleted: dict,
) -> None:
    flagged, omitted = deleted["flagged"]["Id"], deleted["omitted"]["Id"]
    incomplete = deleted["incomplete"]
    assert incomplete["deleted"] == [(flagged, "is_deleted")]
    assert flagged not in incomplete["facts"] and omitted in incomplete["facts"]
    assert len(incomplete["facts"]) == len(deleted["before"]) - 1


def test_with_complete_exports_the_omitted_deal_leaves_too_and_the_analyst_sees_why(deleted: dict) -> None:
    built, flagged, omitted = deleted["built"], deleted["flagged"], deleted["omitted"]
    rows = query(
        built,
        "select opportunity_id, deleted_by, deleted_in_file, last_row_file, status, close_date, amount_original "
        "from marts.fct_deleted_opportunities order by deleted_by",
    )
    sample = deleted["sample"]
    assert [r[:4] for r in rows] == [
        (flagged["Id"], "is_deleted", deleted["late"], deleted["late"]),
        (omitted["Id"], "missing from a complete export", deleted["late"], sample),
    ]
    assert [(r[4], str(r[5]), r[6]) for r in rows] == [
        ("won", d["CloseDate"], Decimal(d["Amount"])) for d in (flagged, omitted)
    ]
    facts = {r[0] for r in query(built, "select opportunity_id from marts.fct_opportunities")}
    assert not facts & {flagged["Id"], omitted["Id"]} and len(facts) == len(deleted["before"]) - 2
    # the deal whose new row was quarantined stays, as the earlier export had it
    spoiled = deleted["spoiled"]
    kept = query(
        built, f"select amount, _source_file from marts.fct_opportunities where opportunity_id = '{spoiled['Id']}'"
    )
    assert kept == [(Decimal(spoiled["Amount"]), sample)]
    quarantined = query(
        built,
        "select distinct json_extract_string(record, '$.Id') from quarantine.salesforce__opportunity "
        f"where _source_file = '{deleted['late']}'",
    )
    assert quarantined == [(spoiled["Id"],)]
    # their lines go with them: no mart counts a deleted deal's products
    lines = query(
        built,
        f"select count(*) from marts.fct_opportunity_lines where opportunity_id in ('{flagged['Id']}', "
        f"'{omitted['Id']}')",
    )
    assert lines == [(0,)]
    # and the analysts' copy has them too
    with duckdb.connect(str(built.warehouse.parent / "analytics.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_deleted_opportunities").fetchone()[0] == 2


def test_version_2_lists_the_two_deleted_deals_with_the_export_that_deleted_them(deleted: dict) -> None:
    flagged, omitted = deleted["flagged"], deleted["omitted"]
    deals = query(
        deleted["built"],
        "select opportunity_id, change, old_status, new_status, old_close_date, old_amount, new_amount, source_file "
        f"from snapshots.restated_opportunities where period = '{MONTH}' and version = 2 order by opportunity_id",
    )
    expected = sorted((flagged, omitted), key=lambda d: d["Id"])
    assert [(d[0], d[1], d[2], d[3], str(d[4]), d[5], d[6], d[7]) for d in deals] == [
        (d["Id"], "deleted", "won", None, d["CloseDate"], Decimal(d["Amount"]), None, deleted["late"]) for d in expected
    ]


def test_the_kpis_they_move_are_listed_old_and_new_to_the_cent(deleted: dict) -> None:
    before, gone = deleted["before"], {deleted["flagged"]["Id"], deleted["omitted"]["Id"]}
    after = [r for r in before if r["Id"] not in gone]
    listed = {
        (r[0], r[1]): r[2:]
        for r in query(
            deleted["built"],
            "select scope_id, kpi, old_value, new_value, opportunity_ids, changed_by from snapshots.restatements "
            f"where period = '{MONTH}' and version = 2 and previous_version = 1",
        )
    }

    def revenue(rows: list[dict]) -> Decimal:
        return sum((Decimal(r["Amount"]) for r in april(rows, "won")), Decimal(0))

    def win_rate(rows: list[dict]) -> Decimal:
        won, lost = len(april(rows, "won")), len(april(rows, "lost"))
        return Decimal(won) / Decimal(won + lost)

    old, new, deals, changed_by = listed[("company", "revenue")]
    assert (old, new) == (revenue(before), revenue(after))
    assert old - new == Decimal(deleted["flagged"]["Amount"]) + Decimal(deleted["omitted"]["Amount"])
    assert set(deals.split(", ")) == gone and changed_by == deleted["late"]
    assert listed[("company", "deals_won")][:2] == (len(april(before, "won")), len(april(after, "won")))
    old_rate, new_rate = listed[("company", "win_rate")][:2]
    assert abs(old_rate - win_rate(before)) < Decimal("0.000001") and abs(new_rate - win_rate(after)) < Decimal(
        "0.000001"
    )
    assert ("company", "deals_lost") not in listed and ("company", "leads_created") not in listed
    # each owner's revenue drops by exactly their deleted deal, with that deal and the export named
    for deal in (deleted["flagged"], deleted["omitted"]):
        rep_old, rep_new, rep_deals, rep_changed_by = listed[(deal["OwnerId"], "revenue")]
        assert rep_old - rep_new == Decimal(deal["Amount"])
        assert rep_deals == deal["Id"] and rep_changed_by == deleted["late"]
    assert f"{len(listed)} KPI values restated (snapshots.restatements)" in deleted["output"]


def test_the_page_and_the_workbook_say_deleted(deleted: dict) -> None:
    folder = deleted["folder"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "What changed since version 1" in page
    for deal in (deleted["flagged"], deleted["omitted"]):
        start = page.index(f'data-opportunity="{deal["Id"]}"')
        row = page[start : page.index("</tr>", start)]
        assert "<td>deleted</td>" in row and "won → deleted" in row and f"${Decimal(deal['Amount']):,.2f} → –" in row
    book = openpyxl.load_workbook(next(folder.glob("*.xlsx")))
    sheet = book["Restated deals"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in line), strict=True)) for line in sheet.iter_rows(min_row=2)]
    assert {r["Opportunity ID"]: r["Change"] for r in rows} == {
        deleted["flagged"]["Id"]: "deleted",
        deleted["omitted"]["Id"]: "deleted",
    }
    assert Path(next(iter(rows))["Source file"]).parent.name == LATE
