"""A rejected file leaves nothing in the warehouse, not even the columns it brought; an absurd header is refused
before anything is read; an oversized field is reported on its true line with DuckDB's real cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_audit_corpus import COLUMNS, Warehouse, opportunities, to_csv

EXTRA = ["Region__c", "Segment__c", "Notes__c"]


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path)


def columns(warehouse: Warehouse, schema: str) -> list[str]:
    return [r[0] for r in warehouse.query(f"describe {schema}.salesforce__opportunity")]


def with_extra(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{**row, **{column: f"{column}-{i}" for column in EXTRA}} for i, row in enumerate(rows)]


def test_a_file_rejected_by_the_audit_leaves_no_column(warehouse: Warehouse) -> None:
    assert warehouse.submit("a/Opportunity.csv", to_csv(opportunities(20))).accepted
    landing, raw = columns(warehouse, "landing"), columns(warehouse, "raw")
    bad = with_extra([{**row, "Amount": "-5"} for row in opportunities(10)])  # every row breaks a rule
    verdict = warehouse.submit("b/Opportunity.csv", to_csv(bad, columns=COLUMNS + EXTRA))
    assert not verdict.accepted and verdict.moved_to
    assert columns(warehouse, "landing") == landing and columns(warehouse, "raw") == raw
    assert not set(EXTRA) & set(columns(warehouse, "raw"))


def test_an_accepted_file_brings_its_new_columns_into_raw(warehouse: Warehouse) -> None:
    assert warehouse.submit(
        "a/Opportunity.csv", to_csv(with_extra(opportunities(10)), columns=COLUMNS + EXTRA)
    ).accepted
    assert warehouse.query('select count("Region__c"), min("Notes__c") from raw.salesforce__opportunity') == [
        (10, "Notes__c-0")
    ]


def test_a_file_refused_while_landing_leaves_no_column(warehouse: Warehouse) -> None:
    warehouse.submit("a/Opportunity.csv", to_csv(opportunities(5)))
    before = columns(warehouse, "landing")
    message = warehouse.submit("b/Opportunity.csv", to_csv([], columns=COLUMNS + EXTRA))  # a header, no rows
    assert "header but no rows" in message
    assert columns(warehouse, "landing") == before


def test_a_header_wider_than_max_columns_is_refused_at_once(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "salesmetrics.yml"
    config.write_text("ingest:\n  max_columns: 50\n", encoding="utf-8")
    monkeypatch.setenv("SALES_CONFIG", str(config))
    wide = COLUMNS + [f"Field{i}__c" for i in range(60)]
    message = warehouse.submit("w/Opportunity.csv", to_csv(opportunities(3), columns=wide))
    assert isinstance(message, str)
    assert "line 1: its header has 71 columns, more than the 50 a file may have (ingest.max_columns" in message
    assert "ingest.max_columns" in (warehouse.rejected / "Opportunity.csv.reason.txt").read_text()
    assert warehouse.query("select count(*) from information_schema.tables where table_schema = 'landing'") in (
        [(0,)],
        [(1,)],
    )
    assert not any(c.startswith("Field") for c in columns(warehouse, "landing"))


def test_an_oversized_field_names_its_true_line_and_duckdbs_cause(warehouse: Warehouse) -> None:
    rows = opportunities(600)
    rows[499] = {**rows[499], "Name": "x" * 2_100_000}  # line 501: the header is line 1
    message = warehouse.submit("big/Opportunity.csv", to_csv(rows))
    assert isinstance(message, str)
    assert "Opportunity.csv, line 501: line 501 is longer than the 2,000,000 bytes" in message
    assert "Maximum line size of 2000000 bytes exceeded" in message and "Line: 1" not in message
    assert len(message) < 1_000  # the value itself is not quoted
