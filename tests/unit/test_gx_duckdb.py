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


def mixed_suite() -> list[gxe.Expectation]:
    """Passing and failing rules of each kind the audit uses (built anew: a suite binds its expectations), two on
    one column apart: GX groups its results by column."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="amount"),  # fails: 20 nulls
        gxe.ExpectColumnValuesToBeUnique(column="id"),  # passes
        gxe.ExpectColumnValuesToBeBetween(column="quantity", min_value=0),  # fails: 40 negatives
        gxe.ExpectColumnValuesToBeInSet(column="quantity", value_set=[-1, 1]),  # passes
        gxe.ExpectColumnValuesToBeNull(column="amount"),  # fails on nearly every row
        gxe.UnexpectedRowsExpectation(unexpected_rows_query="select * from {batch} where quantity < 0"),  # fails
        gxe.UnexpectedRowsExpectation(unexpected_rows_query="select * from {batch} where id < 0"),  # passes
        gxe.ExpectTableRowCountToBeBetween(min_value=30000),  # fails
        gxe.ExpectTableRowCountToBeBetween(min_value=1),  # passes
    ]


def one_summary_pass(batch, table, expectations, index_columns, examples):  # noqa: ANN001, ANN201
    """The former validation: the whole suite at once with SUMMARY and the unexpected rows' index columns."""
    suite = gx_duckdb.gx.ExpectationSuite(name=f"{table}_suite", expectations=expectations)
    result_format = {
        "result_format": "SUMMARY",
        "unexpected_index_column_names": index_columns,
        "partial_unexpected_count": examples,
    }
    return batch.validate(suite, result_format=result_format)


def test_two_passes_read_as_one_summary_pass(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed rules come back exactly as one SUMMARY pass gives them (counts, examples with their lines); passed
    rules as successes, their rows never fetched (they were judged with BOOLEAN_ONLY alone)."""
    two = gx_duckdb.validate_table(database, "deals", mixed_suite())
    monkeypatch.setattr(gx_duckdb, "_two_passes", one_summary_pass)
    one = gx_duckdb.validate_table(database, "deals", mixed_suite())

    assert [r.success for r in two.results] == [r.success for r in one.results]
    assert [r.success for r in two.results] == [False, False, True, False, True, False, True, False, True]
    assert two.success is one.success is False
    for mine, theirs in zip(two.results, one.results, strict=True):
        assert mine.expectation_config.type == theirs.expectation_config.type
        if not theirs.success:
            assert mine.result == theirs.result
        else:
            assert "partial_unexpected_index_list" not in mine.result
    negatives = two.results[3].result
    assert negatives["unexpected_count"] == 40
    assert negatives["partial_unexpected_index_list"][:2] == [
        {"_source_line": 2, "quantity": -1},
        {"_source_line": 502, "quantity": -1},
    ]
    assert two.results[4].expectation_config.type == "expect_column_values_to_be_in_set"
    assert two.results[5].result["observed_value"] == 40
