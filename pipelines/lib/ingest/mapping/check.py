"""Expressions in a mapping are checked before any data moves: one SQL expression over the file's columns.

Parsed with sqlglot (DuckDB dialect); no statements, subqueries or table functions; functions from an
allow-list only; every column reference resolved (case-insensitively) to a column of the file, else an error
naming the mapping file, its line, the column and the file's columns ("did you mean …").
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot
from sqlglot import exp

from pipelines.lib.ingest.mapping.load import LoadedMapping, MappingError, did_you_mean

# The mapping helpers (installed per file as DuckDB temp macros) and plain scalar functions.
HELPERS = {"NUM", "DT", "D", "TXT"}
ALLOWED_FUNCTIONS = {
    "Abs",
    "Cast",
    "TryCast",
    "Case",
    "If",
    "Coalesce",
    "Nullif",
    "Trim",
    "Lower",
    "Upper",
    "Concat",
    "ConcatWs",
    "Substring",
    "Left",
    "Right",
    "Length",
    "Replace",
    "RegexpReplace",
    "RegexpExtract",
    "RegexpLike",
    "SplitPart",
    "Round",
    "Floor",
    "Ceil",
    "Greatest",
    "Least",
    "Sign",
    "StrToTime",
    "StrToDate",
    "TimeToStr",
    "Year",
    "Month",
    "Day",
    "Quarter",
    "DateFromParts",
    "TimestampTrunc",
    "DateTrunc",
    "DateAdd",
    "DateSub",
    "DateDiff",
    "LastDay",
    "Extract",
    "StrPosition",
    "Lpad",
    "Rpad",
    "Initcap",
    "Pad",
    "Sqrt",
    "Pow",
    "Mod",
    "Div",
    "SafeDivide",
    "ToNumber",
    "Interval",
    "StartsWith",
    "EndsWith",
    "Contains",
}
ALLOWED_ANONYMOUS = HELPERS | {"TRY_STRPTIME", "STRIP_ACCENTS", "PRINTF", "FORMAT", "MAKE_TIMESTAMP", "EPOCH_MS"}
FORBIDDEN = (exp.Query, exp.Subquery, exp.Table, exp.Command, exp.Create, exp.Drop, exp.Insert, exp.Update,
             exp.Delete, exp.Pragma, exp.Set, exp.Placeholder, exp.Parameter, exp.Star, exp.Window)  # fmt: skip
# Aggregates, only in an entity block with group_by: sum, min, max, count(x), count(*), count(distinct x).
AGGREGATES = (exp.Sum, exp.Min, exp.Max, exp.Count)
AGGREGATE_NAMES = "sum, min, max, count and count(distinct …)"


def function_name(node: exp.Func) -> str:
    return node.name.upper() if isinstance(node, exp.Anonymous) else type(node).__name__


def resolve(name: str, columns: Sequence[str]) -> str | None:
    if name in columns:
        return name
    lowered = {c.strip().lower(): c for c in columns}
    return lowered.get(name.strip().lower())


def _aggregate_of(node: exp.Expression) -> exp.Expression | None:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, AGGREGATES):
            return parent
        parent = parent.parent
    return None


def check_expression(
    text: str,
    columns: Sequence[str],
    loaded: LoadedMapping,
    where: Sequence[str | int],
    what: str,
    group_by: Sequence[str] | None = None,
) -> str:
    """The expression as DuckDB SQL with every column reference quoted as the file spells it; else MappingError.

    ``group_by``: the block's resolved group_by columns (None: the block has none, so no aggregate is allowed);
    a column outside an aggregate must then be one of them.
    """

    def fail(problem: str) -> MappingError:
        return loaded.error(f"{what}: {problem}", *where)

    try:
        parsed = sqlglot.parse(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise fail(f"the expression {text!r} is not valid SQL ({str(exc).splitlines()[0]}).") from exc
    if len(parsed) != 1 or parsed[0] is None:
        raise fail(f"{text!r} must be exactly one SQL expression (no ';', no statements).")
    tree = parsed[0]
    for node in tree.walk():
        if isinstance(node, exp.Star) and isinstance(node.parent, exp.Count):
            continue  # count(*)
        if isinstance(node, AGGREGATES):
            name = type(node).__name__.lower()
            if what.endswith(".where"):
                raise fail(f"where filters the file's lines before any grouping: {name}() cannot be used in it.")
            if group_by is None:
                raise fail(
                    f"{name}() is an aggregate: it needs group_by on this entity block (e.g. group_by: [Campaign ID]"
                    ", one row per value), or map the column without an aggregate for one row per line."
                )
            if _aggregate_of(node) is not None:
                raise fail(f"{text!r} puts an aggregate inside an aggregate; use one of {AGGREGATE_NAMES} per value.")
            continue
        if isinstance(node, exp.AggFunc):
            shown = node.name.upper() if isinstance(node, exp.Anonymous) else node.sql(dialect="duckdb").split("(")[0]
            raise fail(f"aggregate {shown}() is not allowed in a mapping; the aggregates are {AGGREGATE_NAMES}.")
        if isinstance(node, FORBIDDEN):
            raise fail(
                f"{text!r} may only compute a value from the file's columns: no queries, tables, "
                f"statements or parameters ({type(node).__name__} found)."
            )
        if isinstance(node, exp.Func) and not isinstance(node, exp.Column):
            name = function_name(node)
            if name not in (ALLOWED_ANONYMOUS if isinstance(node, exp.Anonymous) else ALLOWED_FUNCTIONS):
                shown = node.name if isinstance(node, exp.Anonymous) else node.sql(dialect="duckdb").split("(")[0]
                raise fail(
                    f"function {shown}() is not allowed in a mapping expression. Allowed: num, d, dt, txt, "
                    "coalesce, nullif, trim, lower, upper, concat, substr, replace, regexp_replace, round, case, "
                    "cast, strptime, strftime, date_trunc, make_date and other scalar functions."
                )
    for column in list(tree.find_all(exp.Column)):
        if column.table:
            raise fail(f"{column.sql()!r}: refer to a file column by its name only, without a table.")
        found = resolve(column.name, columns)
        if found is None:
            shown = ", ".join(columns[:40]) + (", …" if len(columns) > 40 else "")
            raise fail(
                f"column {column.name!r} is not in the file (its columns are {shown})."
                f"{did_you_mean(column.name, columns)}"
            )
        if group_by is not None and found not in group_by and _aggregate_of(column) is None:
            raise fail(_not_grouped(found, group_by))
        column.replace(exp.column(exp.to_identifier(found, quoted=True)))
    return tree.sql(dialect="duckdb")


def _not_grouped(column: str, group_by: Sequence[str]) -> str:
    return (
        f"column {column!r} is neither in group_by ({', '.join(group_by)}) nor inside an aggregate "
        f"({AGGREGATE_NAMES}). Add it to group_by, or aggregate it, e.g. {{expr: 'min(txt(\"{column}\"))'}}."
    )


def check_column(
    name: str,
    columns: Sequence[str],
    loaded: LoadedMapping,
    where: Sequence[str | int],
    group_by: Sequence[str] | None = None,
) -> str:
    found = resolve(name, columns)
    if found is None:
        shown = ", ".join(columns[:40]) + (", …" if len(columns) > 40 else "")
        raise loaded.error(
            f"column {name!r} is not in the file (its columns are {shown}).{did_you_mean(name, columns)}", *where
        )
    if group_by is not None and found not in group_by:
        raise loaded.error(_not_grouped(found, group_by), *where)
    return found
