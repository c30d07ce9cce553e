"""pipeline_snapshot and stage_velocity against the export CSVs, and stage history rebuilt from repeated exports."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import SAMPLE_END, Built, copy_of_built

MONTH_END = date(2026, 3, 31)
VELOCITY_STAGE = "Needs Analysis"

# Independent of the project's models: plain SQL over the export files. A deal is open at the end of day d
# when created on or before d and not closed by d; its stage is the last history entry on or before d.
OPEN_AT_MONTH_END = """
with opportunities as (
    select
        "Id" as id,
        coalesce(nullif(trim("OwnerId"), ''), 'unknown') as rep_id,
        cast(cast("CreatedDate" as timestamp) as date) as created_date,
        cast("CloseDate" as date) as close_date,
        lower("IsClosed") = 'true' as is_closed,
        coalesce(cast(nullif("Amount", '') as decimal(18, 2)), 0) as amount
    from read_csv(?, all_varchar = true, header = true)
),
history as (
    select
        "OpportunityId" as id,
        trim("StageName") as stage,
        cast("CreatedDate" as timestamp) as entered_at
    from read_csv(?, all_varchar = true, header = true)
),
open_deals as (
    select * from opportunities
    where created_date <= $as_of and not (is_closed and greatest(close_date, created_date) <= $as_of)
),
stage_then as (
    select id, arg_max(stage, entered_at) as stage
    from history where cast(entered_at as date) <= $as_of group by id
)
select o.rep_id, s.stage, count(*) as open_opportunities, sum(o.amount) as open_amount
from open_deals o left join stage_then s using (id)
group by all
"""

# Every history row is a stage entry (the sample writes no repeats); days in a stage run from its entry
# day to the next entry's day.
VELOCITY_FROM_HISTORY = """
with history as (
    select
        "OpportunityId" as id,
        trim("StageName") as stage,
        cast("CreatedDate" as timestamp) as entered_at
    from read_csv(?, all_varchar = true, header = true)
),
spells as (
    select
        stage,
        date_diff(
            'day',
            cast(entered_at as date),
            cast(lead(entered_at) over (partition by id order by entered_at) as date)
        ) as days
    from history
)
select stage, count(*) as entered, avg(days) as avg_days, count(days) as exited
from spells group by stage
"""


def test_open_pipeline_by_rep_and_stage_matches_the_export(built: Built) -> None:
    with duckdb.connect() as con:
        con.execute(f"set variable as_of = date '{MONTH_END}'")
        expected = {
            (rep, stage): (count, amount)
            for rep, stage, count, amount in con.execute(
                OPEN_AT_MONTH_END.replace("$as_of", "getvariable('as_of')"),
                [str(built.export_dir / "Opportunity.csv"), str(built.export_dir / "OpportunityHistory.csv")],
            ).fetchall()
        }
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        mart = {
            (rep, stage): (count, amount)
            for rep, stage, count, amount in con.execute(
                "select rep_id, stage, open_opportunities, open_amount from marts.pipeline_snapshot "
                "where as_of_date = ? and open_opportunities > 0",
                [MONTH_END],
            ).fetchall()
        }
        flags = con.execute(
            "select bool_and(is_month_end), bool_and(not is_week_end) from marts.pipeline_snapshot "
            "where as_of_date = ?",
            [MONTH_END],
        ).fetchone()

    assert sum(c for c, _ in expected.values()) > 50, "the sample should have an open pipeline at that month end"
    assert None not in {stage for _, stage in expected}, "every open deal has a history entry by then"
    assert mart == expected
    assert flags == (True, True)  # 2026-03-31 is a Tuesday
    by_rep: dict[str, tuple[int, Decimal]] = {}
    for (rep, _), (count, amount) in expected.items():
        c, a = by_rep.get(rep, (0, Decimal(0)))
        by_rep[rep] = (c + count, a + amount)
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        rep_performance = {
            rep: (count, amount)
            for rep, count, amount in con.execute(
                "select rep_id, open_opportunities, open_pipeline_amount from marts.rep_performance "
                "where grain = 'month' and period_end = ? and open_opportunities > 0",
                [MONTH_END],
            ).fetchall()
        }
    assert rep_performance == by_rep


def test_as_of_dates_and_weighted_amount(built: Built) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        as_of_dates = {
            row[0]: row[1:]
            for row in con.execute(
                "select as_of_date, bool_and(is_week_end), bool_and(is_month_end), bool_and(is_run_as_of), "
                "bool_and(weighted_amount <= open_amount) from marts.pipeline_snapshot group by as_of_date"
            ).fetchall()
        }
        weighted = dict(
            con.execute(
                "select rep_id || '|' || lower(stage), weighted_amount from marts.pipeline_snapshot "
                "where is_run_as_of and open_opportunities > 0"
            ).fetchall()
        )
    # At the run's as-of date (the export's last day) every open deal is in its current stage with its current
    # probability (0..100 in this export), so per rep and stage the weighted amount is Σ amount x probability.
    with duckdb.connect() as con:
        expected_weighted = dict(
            con.execute(
                "select coalesce(nullif(trim(\"OwnerId\"), ''), 'unknown') || '|' || lower(trim(\"StageName\")), "
                "cast(sum(coalesce(cast(nullif(\"Amount\", '') as decimal(18, 2)), 0) "
                '* cast(cast("Probability" as decimal(9, 4)) / 100 as decimal(9, 6))) as decimal(38, 6)) '
                "from read_csv(?, all_varchar = true, header = true) where lower(\"IsClosed\") = 'false' group by 1",
                [str(built.export_dir / "Opportunity.csv")],
            ).fetchall()
        )

    first = min(as_of_dates)
    days = [date.fromordinal(d) for d in range(first.toordinal(), SAMPLE_END.toordinal() + 1)]
    week_ends = {d for d in days if d.weekday() == 6}
    month_ends = {d for d in days if date.fromordinal(d.toordinal() + 1).day == 1}
    assert first < date(2023, 8, 1), "the sample's data start mid-2023"
    assert set(as_of_dates) == week_ends | month_ends | {SAMPLE_END}
    for day, (is_week_end, is_month_end, is_run_as_of, weighted_within) in as_of_dates.items():
        assert (is_week_end, is_month_end, is_run_as_of) == (
            day in week_ends,
            day in month_ends,
            day == SAMPLE_END,
        ), day
        assert weighted_within, day
    assert weighted == expected_weighted and sum(weighted.values()) > 0


def test_stage_velocity_matches_the_history_export(built: Built) -> None:
    with duckdb.connect() as con:
        expected = {
            stage: (entered, avg_days, exited)
            for stage, entered, avg_days, exited in con.execute(
                VELOCITY_FROM_HISTORY, [str(built.export_dir / "OpportunityHistory.csv")]
            ).fetchall()
        }
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        mart = {
            stage: (entered, avg_days, exited)
            for stage, entered, avg_days, exited in con.execute(
                "select stage, opportunities_entered, avg_days_in_stage, opportunities_exited "
                "from marts.stage_velocity where grain = 'all'"
            ).fetchall()
        }
        by_month = con.execute(
            "select sum(opportunities_entered) from marts.stage_velocity where grain = 'month' and stage = ?",
            [VELOCITY_STAGE],
        ).fetchone()[0]

    assert set(mart) == set(expected)
    for stage, (entered, avg_days, exited) in expected.items():
        m_entered, m_avg, m_exited = mart[stage]
        assert (m_entered, m_exited) == (entered, exited), stage
        assert (m_avg is None) == (avg_days is None), stage
        if avg_days is not None:
            assert m_avg == pytest.approx(avg_days, rel=1e-12), stage
    assert expected[VELOCITY_STAGE][0] > 100 and expected[VELOCITY_STAGE][1] > 0
    assert by_month == expected[VELOCITY_STAGE][0]


# --- history rebuilt from repeated exports -----------------------------------------------------------------

LATER_EXPORT = "2026-07-15"
STAGE_CHANGED_ON = "2026-07-10T10:00:00.000Z"


@pytest.fixture()
def small(tmp_path: Path, built: Built, monkeypatch: pytest.MonkeyPatch) -> Built:
    # copy_of_built points the environment at the copy; monkeypatch puts the session's paths back.
    for key in ("SALES_INBOX", "SALES_WAREHOUSE", "SALES_PUBLISH_DIR", "SALES_REJECTED_DIR"):
        monkeypatch.setenv(key, "unset")
    return copy_of_built(built, tmp_path)  # the session's sample, which the other tests only read


def test_stage_changes_between_exports_become_history(small: Built) -> None:
    source = small.export_dir / "Opportunity.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    prospecting = [r for r in rows if r["IsClosed"] == "false" and r["StageName"].strip() == "Prospecting"]
    assert len(prospecting) >= 4, "the sample should have open deals in Prospecting"
    # Two deals keep LastStageChangeDate up to date, two do not (the field left as it was): for those the
    # later export's date is the best known entry time.
    moved = prospecting[:4]
    for i, row in enumerate(moved):
        row.update(StageName="Qualification", Probability="20")
        if i < 2:
            row["LastStageChangeDate"] = STAGE_CHANGED_ON
    moved_ids = [r["Id"] for r in moved]

    with duckdb.connect(str(small.warehouse), read_only=True) as con:
        before = dict(
            con.execute("select stage, opportunities_entered from marts.stage_velocity where grain = 'all'").fetchall()
        )
        exited_before = con.execute(
            "select opportunities_exited from marts.stage_velocity where grain = 'all' and stage = 'Prospecting'"
        ).fetchone()[0]

    # The later export has no OpportunityHistory.csv: only Opportunity.csv shows the change.
    later = small.inbox / "salesforce" / LATER_EXPORT
    later.mkdir(parents=True)
    with (later / "Opportunity.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    refresh_warehouse()

    with duckdb.connect(str(small.warehouse), read_only=True) as con:
        history = con.execute(
            "select opportunity_id, list(stage order by entry_number), list(source order by entry_number), "
            "max(entered_at) filter (where stage = 'Qualification'), "
            "max(entered_at_basis) filter (where stage = 'Qualification') "
            "from intermediate.int_stage_history_resolved where opportunity_id in ? group by 1",
            [moved_ids],
        ).fetchall()
        after = dict(
            con.execute("select stage, opportunities_entered from marts.stage_velocity where grain = 'all'").fetchall()
        )
        exited_after = con.execute(
            "select opportunities_exited from marts.stage_velocity where grain = 'all' and stage = 'Prospecting'"
        ).fetchone()[0]
        snapshot_versions = con.execute(
            "select count(*) from history.opportunities_snapshot where opportunity_id in ?", [moved_ids]
        ).fetchone()[0]

    by_id = {h[0]: h[1:] for h in history}
    assert set(by_id) == set(moved_ids)
    for i, opportunity_id in enumerate(moved_ids):
        stages, sources, entered_at, basis = by_id[opportunity_id]
        assert stages == ["Prospecting", "Qualification"], opportunity_id
        assert sources == ["history_export", "repeated_exports"], opportunity_id
        if i < 2:
            assert (str(entered_at), basis) == ("2026-07-10 10:00:00", "last_stage_change_date")
        else:
            assert (str(entered_at), basis) == ("2026-07-15 00:00:00", "export_date")
    assert after["Qualification"] == before["Qualification"] + len(moved)
    assert after["Prospecting"] == before["Prospecting"]
    assert exited_after == exited_before + len(moved)
    # The dbt snapshot saw both builds: a second version for each moved deal.
    assert snapshot_versions == 2 * len(moved)
