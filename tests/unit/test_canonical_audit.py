"""The audit of mapped (canonical) entities: every property a dbt test asserts about input rows is checked here
first, so that a bad row is quarantined with its file, line and rule instead of failing the run inside dbt."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.lib.audit.verdict import FileVerdict, audit_pending
from pipelines.lib.config import AuditConfig
from pipelines.lib.ingest.canonical import ENTITIES, canonical_object
from pipelines.lib.ingest.mapping import load_mapping
from pipelines.lib.ingest.mapping.apply import land_mapped
from pipelines.lib.ingest.mapping.claims import MappedFile

CONFIG = AuditConfig(quarantine_max_share=1.0, row_count_min_ratio=0)


def audit(tmp_path: Path, entity: str, rows: list[dict[str, str]], config: AuditConfig = CONFIG) -> FileVerdict:
    """Land rows of one canonical entity through an identity mapping and audit them."""
    mapping_path = tmp_path / "m.yml"
    mapping_path.write_text(
        yaml.safe_dump(
            {
                "source": "test",
                "files": {"data": {"pattern": "data.csv"}},
                "entities": {entity: {"from": "data", "columns": {c: c for c in ENTITIES[entity]}}},
            }
        )
    )
    data = tmp_path / "data.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ENTITIES[entity]))
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in ENTITIES[entity]} for row in rows)
    mapping = load_mapping(mapping_path)
    database = str(tmp_path / "wh.duckdb")
    obj = canonical_object(entity)
    with duckdb.connect(database) as con:
        mapped = MappedFile(data, mapping, "data", "test")
        block = mapping.mapping.blocks(entity)[0]
        land_mapped(con, mapped, obj=obj, entity=entity, block=block, index=0, cache_dir=tmp_path)
    [verdict] = audit_pending(database, obj, config, None)
    # GX's unexpected counts and the quarantine SQL agree on every rule
    assert verdict.gx_unexpected == {rule: n for rule, n in verdict.by_rule.items() if rule != "malformed_row"}
    return verdict


def quarantined(tmp_path: Path, entity: str) -> list[tuple[int, str, str | None]]:
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        return con.execute(
            f"select _source_line, rule, offending_value from quarantine.canonical__{entity} order by 1, 2"
        ).fetchall()


def deal(i: int, **values: str) -> dict[str, str]:
    row = {
        "opportunity_id": f"D{i}",
        "owner_id": "R1",
        "created_date": "2026-01-05",
        "close_date": "2026-02-10",
        "stage": "Closed Won",
        "status": "won",
        "amount": "100",
        "probability": "100",
    }
    return row | values


def test_a_closed_deal_without_close_date_is_quarantined(tmp_path: Path) -> None:
    rows = [deal(1), deal(2, close_date=""), deal(3, status="lost", stage="Closed Lost", close_date="")]
    rows.append(deal(4, status="open", stage="Negotiation", close_date=""))
    verdict = audit(tmp_path, "opportunities", rows)
    assert quarantined(tmp_path, "opportunities") == [
        (3, "close_date__not_null_when_closed", "won"),
        (4, "close_date__not_null_when_closed", "lost"),
    ]
    assert verdict.accepted and verdict.quarantined_rows == 2


def test_an_open_deal_without_created_date_is_accepted(tmp_path: Path) -> None:
    rows = [deal(1, status="open", stage="Negotiation", created_date="", close_date="2026-07-01")]
    verdict = audit(tmp_path, "opportunities", rows)
    assert quarantined(tmp_path, "opportunities") == []
    assert verdict.accepted and verdict.quarantined_rows == 0


@pytest.mark.parametrize(("value", "quarantine"), [("-5", True), ("150", True), ("0.4", False), ("40", False)])
def test_probability_is_between_0_and_100(tmp_path: Path, value: str, quarantine: bool) -> None:
    audit(tmp_path, "opportunities", [deal(1, probability=value)])
    expected = [(2, "probability__between_0_and_100", f"{value}")] if quarantine else []
    assert [(line, rule, str(float(v)) if v else v) for line, rule, v in quarantined(tmp_path, "opportunities")] == [
        (line, rule, str(float(v))) for line, rule, v in expected
    ]


def test_mapped_stages_are_the_company_s_own_but_may_not_contradict_the_status(tmp_path: Path) -> None:
    """known_stages is Salesforce's list; a mapped source's stage labels are its own (HubSpot and Pipedrive
    pipelines are custom), and its status column decides won/lost/open. What is checked is that a stage that
    names a closed outcome agrees with the status: such a row means the mapping's status map misses a label."""
    rows = [
        deal(1, stage="Verbal yes", status="open", close_date="2026-07-01"),  # a custom label: accepted
        deal(2, stage="Negotiation", status="won"),  # Pipedrive: the last stage before it was won
        deal(3, stage="", status="lost"),
        deal(4, stage="Closed Won", status="open", close_date="2026-07-01"),
        deal(5, stage=" closed LOST ", status="won"),
        deal(6, stage="CLOSED WON", status="won"),
        deal(7, stage="Closed Lost", status="lost"),
    ]
    verdict = audit(tmp_path, "opportunities", rows)
    assert quarantined(tmp_path, "opportunities") == [
        (5, "stage__agrees_with_status", "Closed Won (status open)"),
        (6, "stage__agrees_with_status", "closed LOST (status won)"),  # the mapping trims,
    ]
    assert verdict.accepted and verdict.quarantined_rows == 2


def test_two_quotas_for_one_rep_and_start_in_one_file_are_quarantined(tmp_path: Path) -> None:
    """Staging keeps one quota per rep and period start (the latest export's); within one file the audit cannot
    tell which of two is meant, so both are quarantined rather than one silently winning."""
    rows = [
        {"rep_id": "R1", "period_start": "2026-01-01", "period_end": "2026-01-31", "quota_amount": "100"},
        {"rep_id": "R1", "period_start": "2026-02-01", "period_end": "2026-02-28", "quota_amount": "100"},
        {"rep_id": "R2", "period_start": "2026-01-01", "period_end": "2026-01-31", "quota_amount": "100"},
        {"rep_id": "R2 ", "period_start": "2026-01-01", "period_end": "2026-01-31", "quota_amount": "900"},
    ]
    verdict = audit(tmp_path, "quotas", rows)
    assert quarantined(tmp_path, "quotas") == [
        (4, "rep_id__unique_per_period_start", "R2 2026-01-01 (also line 5)"),
        (5, "rep_id__unique_per_period_start", "R2 2026-01-01 (also line 4)"),
    ]
    assert verdict.accepted and verdict.quarantined_rows == 2
