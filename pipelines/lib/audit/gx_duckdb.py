"""Great Expectations 1.x on DuckDB through SQLAlchemy (duckdb-engine), with the result-buffering fix.

GX's ``SqlAlchemyExecutionEngine.execute_query`` returns the cursor result after leaving its connection's
``with`` block; duckdb-engine has dropped the rows by then, and every expectation fails with a
MetricResolutionError ("list index out of range"). Buffering the result while the connection is open
(SQLAlchemy's ``Result.freeze()``) fixes it. tests/unit/test_gx_duckdb.py fails without the patch.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import duckdb  # noqa: E402
import great_expectations as gx  # noqa: E402
from duckdb_engine import ConnectionWrapper  # noqa: E402
from great_expectations.core import ExpectationSuiteValidationResult  # noqa: E402
from great_expectations.execution_engine.sqlalchemy_execution_engine import (  # noqa: E402
    SqlAlchemyExecutionEngine,
)
from sqlalchemy.pool import StaticPool  # noqa: E402

from pipelines.lib.duckdb_settings import duckdb_settings  # noqa: E402

logging.getLogger("great_expectations").setLevel(logging.WARNING)


# GX's own method, kept so a test can show the failure it fixes.
UNPATCHED_EXECUTE_QUERY = SqlAlchemyExecutionEngine.execute_query


def _execute_query_buffered(self: SqlAlchemyExecutionEngine, query: Any) -> Any:
    with self.get_connection() as connection:
        result = self._execute_query_with_recovery(connection, query)
        if not result.returns_rows:
            return result
        frozen = result.freeze()
    return frozen()


def install_fix() -> None:
    SqlAlchemyExecutionEngine.execute_query = _execute_query_buffered  # type: ignore[method-assign]


def add_warehouse(context: Any, database: str) -> Any:
    """The DuckDB file as GX's SQL datasource, its connection with the pipeline's memory limit and spill folder."""
    return context.data_sources.add_sql(
        name="warehouse",
        connection_string=f"duckdb:///{database}",
        kwargs={"poolclass": StaticPool, "connect_args": {"config": duckdb_settings().config()}},
    )


class _SharedConnection(ConnectionWrapper):
    """duckdb-engine's wrapper of a connection the caller owns: closing the engine leaves it open."""

    def close(self) -> None:
        pass


def add_connection(context: Any, con: duckdb.DuckDBPyConnection) -> Any:
    """An open DuckDB connection as GX's SQL datasource: GX's queries run on it, so they see its temp tables and
    need no second open of the warehouse file (a new instance, its catalog read, a checkpoint on close)."""
    return context.data_sources.add_sql(
        name="warehouse",
        connection_string="duckdb:///:memory:",  # not opened: the creator hands over the connection
        kwargs={"poolclass": StaticPool, "creator": lambda: _SharedConnection(con)},
    )


def validate_table(
    database: str | duckdb.DuckDBPyConnection,
    table: str,
    expectations: Sequence[gx.expectations.Expectation],
    *,
    index_columns: Sequence[str] = ("_source_line",),
    examples: int = 5,
) -> ExpectationSuiteValidationResult:
    """Validate ``<table>`` of a DuckDB file, or of an open connection (its temp tables too).

    Given a file, the caller must hold no other connection to it: DuckDB refuses a second in-process connection
    with a different configuration, and duckdb-engine configures its own; so GX gets the file alone, and its
    engine is disposed before returning. Given a connection, GX runs every query on it and leaves it open.
    """
    install_fix()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    # StaticPool: one connection for all of the suite's queries (opening a DuckDB file costs tens of ms),
    # closed by dispose() below so none outlives the validation.
    if isinstance(database, duckdb.DuckDBPyConnection):
        datasource = add_connection(context, database)
    else:
        datasource = add_warehouse(context, database)
    engines = []
    try:
        batch = datasource.add_table_asset(name=table, table_name=table).add_batch_definition_whole_table("all")
        loaded = batch.get_batch()
        engines.append(loaded.data.execution_engine.engine)
        return _two_passes(loaded, table, list(expectations), list(index_columns), examples)
    finally:
        for engine in {id(e): e for e in [*engines, datasource.get_engine()]}.values():
            engine.dispose()


def _two_passes(
    batch: Any, table: str, expectations: list[Any], index_columns: list[str], examples: int
) -> ExpectationSuiteValidationResult:
    """Every expectation judged with BOOLEAN_ONLY (one aggregate each, no rows fetched), then only the failed ones
    again with SUMMARY for their counts, examples and index columns. The result reads as one SUMMARY pass's: in
    its order (GX groups the results by column, a subsequence keeps the order), a passed rule with its success
    alone, a failed one with every detail."""
    result = batch.validate(
        gx.ExpectationSuite(name=f"{table}_suite", expectations=expectations), result_format="BOOLEAN_ONLY"
    )
    failed = [i for i, outcome in enumerate(result.results) if not outcome.success]
    if not failed:
        return result
    again = batch.validate(
        gx.ExpectationSuite(
            name=f"{table}_failed", expectations=[result.results[i].expectation_config.to_domain_obj() for i in failed]
        ),
        result_format={
            "result_format": "SUMMARY",
            "unexpected_index_column_names": index_columns,
            "partial_unexpected_count": examples,
        },
    )
    for i, outcome in zip(failed, again.results, strict=True):
        if outcome.expectation_config.kwargs != result.results[i].expectation_config.kwargs:
            raise RuntimeError(f"GX reordered the failed expectations of {table}: {outcome.expectation_config}")
        result.results[i] = outcome
    return result
