"""The rates the audit's currency rule reads: which currency converts to the reporting currency on which days.

A deal's amount is summed in the reporting currency (publish: reporting_currency in salesmetrics.yml), converted
at the rate valid on its close date: the dated rate covering the day (DatedConversionRate, valid up to the next
start date of its currency), else the currency's static rate (CurrencyType), as dbt's int_currency_rates and
int_opportunities_unioned do. A deal in another currency converts only when both its currency and the reporting
currency have a rate that day; rule ``<currency>__has_rate`` (rules.py) quarantines the others, so no amount is
ever summed unconverted. The table below holds those validity spans, from every rate export in raw and landing
(a rate landed in the same run counts, as a referenced parent does).
"""

from __future__ import annotations

import duckdb

from pipelines.lib.audit.spec import q

RATES_TABLE = 'main."audit__currency_rates"'
# object table → (code, rate, start date or None): where rates come from
RATE_SOURCES = {
    "salesforce__dated_conversion_rate": ('"IsoCode"', '"ConversionRate"', '"StartDate"'),
    "salesforce__currency_type": ('"IsoCode"', '"ConversionRate"', None),
    "canonical__currency_rates": ("currency", "rate", "start_date"),  # a mapped rates file; no start: static
}


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return set(
        con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in ('raw', 'landing')"
        ).fetchall()
    )


def _spans(schema: str, table: str, code: str, rate: str, start: str | None) -> str:
    code_sql = f"upper(nullif(trim({code}), ''))"
    start_sql = f"try_cast(nullif(trim({start}), '') as date)" if start else "cast(null as date)"
    return (
        f"select {code_sql} as currency, {start_sql} as valid_from from {schema}.{q(table)} "
        f"where {code_sql} is not null and try_cast(nullif(trim({rate}), '') as decimal(18, 9)) > 0"
    )


def build_rates_table(con: duckdb.DuckDBPyConnection, reporting_currency: str, extra_sources: str = "") -> None:
    """``RATES_TABLE``: rate_currency, rate_from, rate_to (NULL: open) and is_reporting_currency (one row, the
    reporting currency, which needs a rate of its own only when another currency converts to it). The names are
    unlike an export's columns: the view's rule reads them in a subquery beside the row's own columns."""
    tables = _tables(con)
    parts = [
        _spans(schema, table, *columns)
        for table, columns in RATE_SOURCES.items()
        for schema in ("raw", "landing")
        if (schema, table) in tables
    ]
    if extra_sources:
        parts.append(extra_sources)
    rows = " union ".join(parts) or "select cast(null as varchar) as currency, cast(null as date) as valid_from limit 0"
    con.execute(
        f"create or replace table {RATES_TABLE} as "
        "select rate_currency, rate_from, case when rate_from is not null then lead(rate_from) over "
        "(partition by rate_currency, rate_from is null order by rate_from) end as rate_to, "
        f"false as is_reporting_currency from ({rows}) as spans(rate_currency, rate_from) "
        "union all select ?, null, null, true",
        [reporting_currency.upper()],
    )
