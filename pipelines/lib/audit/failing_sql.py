"""The SQL condition that picks the rows a GX expectation counts as unexpected, read off the expectation itself.

Quarantine needs the failing rows as SQL over the typed view. GX 1.x can return an ``unexpected_index_query``,
but as a display string (its bind parameters are substituted by text heuristics and some stay ``$1`` on DuckDB),
not a query to run. So each expectation type the rules use has one translation here, from the same object GX
runs; tests/unit/test_audit_rules.py checks on every rule of every object that GX's unexpected count and this
condition's row count are equal. A rule on a new expectation type needs its translation added here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import great_expectations.expectations as gxe

from pipelines.lib.audit.spec import q

Translation = Callable[[Any, str], str]  # (expectation, view) → condition
TRANSLATIONS: dict[type[gxe.Expectation], Translation] = {}


def translates(kind: type[gxe.Expectation]) -> Callable[[Translation], Translation]:
    def register(translation: Translation) -> Translation:
        TRANSLATIONS[kind] = translation
        return translation

    return register


def literal(value: object) -> str:
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def failing_sql(expectation: gxe.Expectation, view: str) -> str:
    """A condition over ``view`` true exactly for the rows GX counts as unexpected (NULLs are never counted)."""
    translation = TRANSLATIONS.get(type(expectation))
    if translation is None:
        raise TypeError(f"no failing-row SQL for {type(expectation).__name__}: add one to {__name__}")
    if getattr(expectation, "row_condition", None) or getattr(expectation, "mostly", 1) != 1:
        raise ValueError(f"{type(expectation).__name__}: row_condition and mostly are not translated")
    return translation(expectation, view)


@translates(gxe.ExpectColumnValuesToNotBeNull)
def _not_null(e: gxe.ExpectColumnValuesToNotBeNull, view: str) -> str:
    return f"{q(e.column)} is null"


@translates(gxe.ExpectColumnValuesToBeNull)
def _null(e: gxe.ExpectColumnValuesToBeNull, view: str) -> str:
    return f"{q(e.column)} is not null"


@translates(gxe.ExpectColumnValuesToBeUnique)
def _unique(e: gxe.ExpectColumnValuesToBeUnique, view: str) -> str:
    c = q(e.column)
    return f"{c} in (select {c} from {view} group by {c} having count(*) > 1)"


@translates(gxe.ExpectColumnValuesToBeBetween)
def _between(e: gxe.ExpectColumnValuesToBeBetween, view: str) -> str:
    c = q(e.column)
    below = f"{c} {'<=' if e.strict_min else '<'} {literal(e.min_value)}" if e.min_value is not None else None
    above = f"{c} {'>=' if e.strict_max else '>'} {literal(e.max_value)}" if e.max_value is not None else None
    return "(" + " or ".join(filter(None, (below, above))) + ")"


@translates(gxe.ExpectColumnValuesToBeInSet)
def _in_set(e: gxe.ExpectColumnValuesToBeInSet, view: str) -> str:
    c = q(e.column)
    return f"({c} is not null and {c} not in ({', '.join(literal(v) for v in e.value_set)}))"


@translates(gxe.ExpectColumnPairValuesAToBeGreaterThanB)
def _a_greater_than_b(e: gxe.ExpectColumnPairValuesAToBeGreaterThanB, view: str) -> str:
    if e.ignore_row_if != "either_value_is_missing":
        raise ValueError("only ignore_row_if='either_value_is_missing' is translated (a NULL side never fails)")
    return f"{q(e.column_A)} {'<' if e.or_equal else '<='} {q(e.column_B)}"
