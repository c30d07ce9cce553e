"""The audit of the company's own files (targets, benchmarks, fixed costs): two lines for the same target,
benchmark or cost period are quarantined, both of them, each naming the other, and the key compares what staging
compares (dates as dates, KPI names in any case, a company target's scope_id ignored)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.lib.audit.verdict import FileVerdict, audit_pending
from pipelines.lib.config import AuditConfig
from pipelines.lib.ingest.loader import land_file
from pipelines.lib.ingest.salesforce import by_name

CONFIG = AuditConfig(quarantine_max_share=1.0, row_count_min_ratio=0)


def audit(tmp_path: Path, name: str, text: str) -> tuple[FileVerdict, list[tuple[int, str, str | None]]]:
    obj = by_name(name)
    path = tmp_path / "inbox" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    database = str(tmp_path / "warehouse.duckdb")
    with duckdb.connect(database) as con:
        land_file(con, obj, path, tmp_path / "cache")
    [verdict] = audit_pending(database, obj, CONFIG, tmp_path / "rejected")
    # GX's unexpected counts and the quarantine SQL agree on every rule
    assert verdict.gx_unexpected == {rule: n for rule, n in verdict.by_rule.items() if rule != "malformed_row"}
    with duckdb.connect(database, read_only=True) as con:
        rows = con.execute(
            f"select _source_line, rule, offending_value from quarantine.{obj.table} order by 1, 2"
        ).fetchall()
    return verdict, rows


def test_two_lines_for_one_target_are_both_quarantined_naming_each_other(tmp_path: Path) -> None:
    verdict, rows = audit(
        tmp_path,
        "targets",
        "kpi,scope,scope_id,grain,period_start,target_value,growth_rate\n"
        "win_rate,company,,month,2026-04-01,0.30,\n"  # 2
        "Win_Rate , company,,Month,2026-4-1,0.35,\n"  # 3: the same target, written differently
        "win_rate,company,Acme,month,2026-04-01 00:00:00,0.40,\n"  # 4: a company's scope_id is ignored
        "win_rate,company,,quarter,2026-04-01,0.30,\n"  # 5: another grain
        "revenue,rep,R1,month,2026-04-01,100,\n"  # 6
        "revenue,rep,R2,month,2026-04-01,100,\n"  # 7: another rep
        "revenue,rep,R1,month,2026-04-01,,0.1\n"  # 8: R1 again, as a growth rule
        "revenue,team,,month,2026-04-01,100,\n",  # 9: which team?
    )
    rule = "kpi__unique_per_scope_scope_id_grain_period_start"
    assert rows == [
        (2, rule, "win_rate company month 2026-04-01 (also line 3, 4)"),
        (3, rule, "win_rate company month 2026-04-01 (also line 2, 4)"),
        (4, rule, "win_rate company month 2026-04-01 (also line 2, 3)"),
        (6, rule, "revenue rep R1 month 2026-04-01 (also line 8)"),
        (8, rule, "revenue rep R1 month 2026-04-01 (also line 6)"),
        (9, "scope_id__not_null_when_team_or_rep", "team"),
    ]
    assert verdict.accepted and verdict.quarantined_rows == 6


def test_two_lines_for_one_benchmark_are_both_quarantined(tmp_path: Path) -> None:
    verdict, rows = audit(
        tmp_path,
        "benchmarks",
        "kpi,grain,benchmark_value,benchmark_label\n"
        "win_rate,,0.21,Survey A\n"  # 2: every grain
        "win_rate,month,0.20,Survey A\n"  # 3: a grain of its own beats it, not a duplicate
        "WIN_RATE,,0.25,Survey B\n"  # 4: every grain again
        "retention_rate,year,0.8,Survey A\n"  # 5
        "retention_rate,Year,0.9,Survey B\n",  # 6
    )
    assert rows == [
        (2, "kpi__unique_per_grain", "win_rate (also line 4)"),
        (4, "kpi__unique_per_grain", "win_rate (also line 2)"),
        (5, "kpi__unique_per_grain", "retention_rate year (also line 6)"),
        (6, "kpi__unique_per_grain", "retention_rate year (also line 5)"),
    ]
    assert verdict.accepted and verdict.quarantined_rows == 4


def test_two_lines_for_one_cost_period_are_both_quarantined_overlaps_are_not(tmp_path: Path) -> None:
    verdict, rows = audit(
        tmp_path,
        "fixed_costs",
        "period_start,period_end,fixed_cost,description\n"
        "2026-04-01,2026-04-30,1000,Salaries\n"  # 2
        "2026-4-1,2026-04-30T00:00:00,200,Rent\n"  # 3: April again: one line per period, add them up
        "2026-04-01,2026-06-30,900,Tools\n"  # 4: a quarter overlapping April: added to it
        "2026-05-01,2026-05-31,1000,Salaries\n",  # 5
    )
    assert rows == [
        (2, "period_start__unique_per_period_end", "2026-04-01 2026-04-30 (also line 3)"),
        (3, "period_start__unique_per_period_end", "2026-04-01 2026-04-30 (also line 2)"),
    ]
    assert verdict.accepted and verdict.quarantined_rows == 2


def test_a_target_on_no_period_start_is_quarantined(tmp_path: Path) -> None:
    """The scorecard matches a target on its period's first day exactly: 2026-04-15 by month would match nothing."""
    verdict, rows = audit(
        tmp_path,
        "targets",
        "kpi,scope,scope_id,grain,period_start,target_value,growth_rate\n"
        "revenue,company,,month,2026-04-01,100,\n"  # 2
        "revenue,company,,month,2026-04-15,100,\n"  # 3: mid-month
        "revenue,company,,week,2026-04-06,100,\n"  # 4: a Monday
        "revenue,company,,Week,2026-04-08,100,\n"  # 5: a Wednesday
        "revenue,company,,quarter,2026-05-01,100,\n"  # 6: a fiscal quarter may start in May
        "revenue,company,,year,2026-07-02,100,\n"  # 7
        "revenue,company,,day,2026-04-15,100,\n"  # 8: any day starts a day
        "revenue,company,,month,someday,100,\n",  # 9: not a date: that rule's, not this one's
    )
    rule = "period_start__starts_its_grain"
    assert rows == [
        (3, rule, "2026-04-15 starts no month (the 1st of a month)"),
        (5, rule, "2026-04-08 starts no week (a Monday)"),
        (7, rule, "2026-07-02 starts no year (the 1st of a month)"),
        (9, "period_start__parseable", "someday"),
    ]
    assert verdict.accepted and verdict.quarantined_rows == 4
