"""The rows a publication freezes: marts.kpi_scorecard for one closed period, in long format."""

from __future__ import annotations

from datetime import date

import duckdb

# The columns frozen into snapshots.kpi_<grain>_versions, in order (marts.kpi_scorecard's contract).
SCORECARD_COLUMNS = (
    "grain",
    "period_start",
    "period_end",
    "scope",
    "scope_id",
    "scope_name",
    "kpi",
    "kpi_label",
    "kpi_unit",
    "higher_is_better",
    "actual",
    "target",
    "target_source",
    "attainment",
    "prior_value",
    "change_pct",
    "status",
    "benchmark",
    "benchmark_label",
)
SOURCE = "marts.kpi_scorecard"


def period_rows_sql(con: duckdb.DuckDBPyConnection, grain: str, period_start: date) -> tuple[str, list, str]:
    """The query selecting one period's scorecard rows, its parameters, and where the rows come from."""
    columns = ", ".join(SCORECARD_COLUMNS)
    return (
        f"select {columns} from {SOURCE} where grain = ? and period_start = ? order by scope, scope_id, kpi",
        [grain, period_start],
        SOURCE,
    )
