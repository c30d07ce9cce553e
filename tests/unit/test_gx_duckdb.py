"""GX on DuckDB: without the buffering fix every expectation errors; with it, bad data fails with true counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import great_expectations.expectations as gxe
import pytest
from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine

from pipelines.lib.audit import gx_duckdb

EXPECTATIONS = [
    gxe.ExpectColumnValuesToNotBeNull(column="amount"),
    gxe.ExpectColumnValuesToBeBetween(column="quantity", min_value=0),
    gxe.ExpectColumnValuesToBeUnique(column="id"),
]


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = str(tmp_path / "w.duckdb")
    with duckdb.connect(path) as con:
        con.execute(
            """create table deals as
               select i as id, i + 2 as _source_line,
                      case when i % 1000 = 0 then null else i * 1.5 end as amount,
                      case when i % 500 = 0 then -1 else 1 end as quantity
               from range(20000) r(i)"""
        )
    return path


def test_without_the_fix_expectations_cannot_resolve(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gx_duckdb, "install_fix", lambda: None)
    monkeypatch.setattr(SqlAlchemyExecutionEngine, "execute_query", gx_duckdb.UNPATCHED_EXECUTE_QUERY)
    result = gx_duckdb.validate_table(database, "deals", EXPECTATIONS)
    # Known failure mode: no counts at all, every expectation unsuccessful.
    assert [r.result.get("unexpected_count") for r in result.results] == [None, None, None]


def test_with_the_fix_bad_data_fails_with_true_counts_and_examples(database: str) -> None:
    result = gx_duckdb.validate_table(database, "deals", EXPECTATIONS)
    by_type = {r.expectation_config.type: r for r in result.results}

    assert not result.success
    nulls = by_type["expect_column_values_to_not_be_null"]
    assert (nulls.success, nulls.result["unexpected_count"], nulls.result["element_count"]) == (False, 20, 20000)
    negative = by_type["expect_column_values_to_be_between"]
    assert (negative.success, negative.result["unexpected_count"]) == (False, 40)
    assert negative.result["partial_unexpected_index_list"][0] == {"_source_line": 2, "quantity": -1}
    assert by_type["expect_column_values_to_be_unique"].success


def test_good_data_passes(database: str) -> None:
    with duckdb.connect(database) as con:
        con.execute("update deals set amount = 1 where amount is null; update deals set quantity = 1")
    assert gx_duckdb.validate_table(database, "deals", EXPECTATIONS).success
