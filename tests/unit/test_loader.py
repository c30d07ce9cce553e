"""The loader: lineage columns, line numbers, skip on same checksum, history kept across exports."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.lib.ingest.files import FileRejected
from pipelines.lib.ingest.loader import land_file, sha256_of
from pipelines.lib.ingest.mapping.discover import plan
from pipelines.lib.ingest.salesforce import by_name
from tests.realdata import REALDATA

OPPORTUNITY = by_name("Opportunity")
HEADER = "Id,AccountId,StageName,Amount,CloseDate,CreatedDate\n"


def find_exports(inbox: Path, obj) -> list[Path]:
    """The files a run lands for ``obj`` (the run's own decision, pipelines.lib.ingest.mapping.discover.plan)."""
    return plan(inbox, None, []).exports(obj)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def con():
    with duckdb.connect(":memory:") as connection:
        yield connection


def load_file(con, obj, path: Path):
    """Land a file and accept it as is (the audit is tested in test_audit_corpus.py)."""
    result = land_file(con, obj, path, path.parent / ".cache")
    con.execute(f"insert into raw.{obj.table} by name select * from landing.{obj.table}")
    con.execute(f"delete from landing.{obj.table}")
    return result


def test_load_keeps_text_and_lineage(tmp_path: Path, con) -> None:
    path = write(
        tmp_path / "Opportunity.csv",
        HEADER + "006A,001A,Closed Won,1234.50,2026-01-31,2026-01-02T10:00:00.000Z\n"
        '006B,001A,"Needs Analysis, late",,2026-02-28,2026-01-05T10:00:00.000Z\n'
        "006C,001B,1;DROP TABLE users,0.10,2026-03-01,2026-01-06T10:00:00.000Z\n",
    )
    result = load_file(con, OPPORTUNITY, path)

    assert (result.rows, result.skipped) == (3, False)
    assert result.sha256 == sha256_of(path)
    rows = con.execute(
        'select "Id", "StageName", "Amount", _source_file, _source_sha256, _source_line '
        "from raw.salesforce__opportunity order by _source_line"
    ).fetchall()
    assert rows == [
        ("006A", "Closed Won", "1234.50", str(path), result.sha256, 2),
        ("006B", "Needs Analysis, late", None, str(path), result.sha256, 3),
        ("006C", "1;DROP TABLE users", "0.10", str(path), result.sha256, 4),
    ]
    loaded_at = con.execute("select distinct _loaded_at from raw.salesforce__opportunity").fetchall()
    assert len(loaded_at) == 1 and loaded_at[0][0] is not None


def test_same_file_twice_changes_nothing(tmp_path: Path, con) -> None:
    path = write(tmp_path / "Opportunity.csv", HEADER + "006A,001A,Closed Won,10,2026-01-31,2026-01-02\n")
    first = load_file(con, OPPORTUNITY, path)
    copy = write(tmp_path / "again" / "Opportunity.csv", path.read_text())
    second = load_file(con, OPPORTUNITY, copy)

    assert (first.skipped, second.skipped, second.rows) == (False, True, 0)
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone()[0] == 1
    assert con.execute("select count(*), any_value(status) from raw._ingest_log").fetchone() == (1, "pending")


def test_newer_export_is_appended_and_may_add_columns(tmp_path: Path, con) -> None:
    old = write(
        tmp_path / "2026-06-23" / "Opportunity.csv", HEADER + "006A,001A,Prospecting,10,2026-07-31,2026-06-01\n"
    )
    new = write(
        tmp_path / "2026-06-30" / "Opportunity.csv",
        HEADER.strip() + ",Type\n006A,001A,Closed Won,12,2026-06-29,2026-06-01,New Business\n",
    )
    assert find_exports(tmp_path, OPPORTUNITY) == [old, new]
    for path in find_exports(tmp_path, OPPORTUNITY):
        load_file(con, OPPORTUNITY, path)

    rows = con.execute(
        'select "StageName", "Amount", "Type" from raw.salesforce__opportunity order by _loaded_at'
    ).fetchall()
    assert rows == [("Prospecting", "10", None), ("Closed Won", "12", "New Business")]


def test_missing_required_column_names_file_and_fix(tmp_path: Path, con) -> None:
    path = write(tmp_path / "Opportunity.csv", "Id,Amount\n006A,10\n")
    with pytest.raises(FileRejected) as raised:
        load_file(con, OPPORTUNITY, path)
    message = str(raised.value)
    assert str(path) in message and "StageName" in message and "line 1" in message and "Fix:" in message


def test_find_exports_does_not_confuse_similar_objects(tmp_path: Path) -> None:
    for name in ["Opportunity.csv", "opportunity_2026-06-30.csv", "notes.txt"]:
        write(tmp_path / name, HEADER)
    write(tmp_path / "OpportunityLineItem.csv", "Id,OpportunityId,Product2Id,Quantity,UnitPrice\n")
    found = [p.name for p in find_exports(tmp_path, OPPORTUNITY)]
    assert found == ["Opportunity.csv", "opportunity_2026-06-30.csv"]
    assert [p.name for p in find_exports(tmp_path, by_name("OpportunityLineItem"))] == ["OpportunityLineItem.csv"]


def test_line_numbers_follow_file_order_on_a_large_file(tmp_path: Path, con) -> None:
    """DuckDB reads big files in parallel; the line number must still be the record's own line."""
    lines = "".join(f"006{i:015d},001A,Prospecting,{i},2026-01-31,2026-01-02\n" for i in range(300_000))
    path = write(tmp_path / "Opportunity.csv", HEADER + lines)
    load_file(con, OPPORTUNITY, path)
    mismatches = con.execute(
        'select count(*) from raw.salesforce__opportunity where cast("Amount" as bigint) + 2 <> _source_line'
    ).fetchone()[0]
    assert mismatches == 0


NORTHWIND_VARIANT = REALDATA / "northwind" / "variant_neo4j_unquoted_commas" / "orders.csv"


@pytest.mark.skipif(not NORTHWIND_VARIANT.exists(), reason=f"{NORTHWIND_VARIANT} is absent")
def test_northwind_unquoted_commas_are_quarantined_at_their_own_lines(tmp_path: Path, con) -> None:
    """176 of 830 order lines carry an extra unquoted comma: each is quarantined, none shifted into raw."""
    from pipelines.lib.ingest.salesforce import ExportObject

    header = NORTHWIND_VARIANT.read_text(encoding="utf-8").splitlines()[0].split(",")
    orders = ExportObject("orders", "northwind__orders", tuple(header), ("orderID",), "Northwind orders")
    lines = NORTHWIND_VARIANT.read_text(encoding="utf-8").splitlines()
    expected_bad = [n for n, line in enumerate(lines, start=1) if n > 1 and line.count(",") != len(header) - 1]

    result = land_file(con, orders, NORTHWIND_VARIANT, tmp_path / "cache")

    assert (result.rows, result.malformed) == (830 - 176, 176) and len(expected_bad) == 176
    quarantined = con.execute("select _source_line, rule from quarantine.northwind__orders order by 1").fetchall()
    assert quarantined == [(n, "malformed_row") for n in expected_bad]
    # Accepted rows keep their own line and their columns are not shifted.
    landed = con.execute('select _source_line, "orderID", "shipCountry" from landing.northwind__orders').fetchall()
    for line, order_id, country in landed:
        fields = lines[line - 1].split(",")
        assert (fields[0], fields[-1]) == (order_id, country)
