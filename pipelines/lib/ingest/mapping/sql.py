"""A mapping block as SQL: one select-list item per canonical column, normalised text for the audit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp, parse_one

from pipelines.lib.ingest.canonical import BOOLEAN, DATE, DATETIME, ENTITIES, MONEY, NUMBER
from pipelines.lib.ingest.mapping.check import check_column, check_expression, resolve
from pipelines.lib.ingest.mapping.load import LoadedMapping
from pipelines.lib.ingest.mapping.schema import Const, EntityBlock, Expr, Mapped

TRUE = "('true', 't', '1', 'yes', 'y')"
FALSE = "('false', 'f', '0', 'no', 'n')"


def literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def normalise(kind: str, value_sql: str, *, parsed: bool, status: bool = False) -> str:
    """Text in the canonical form of ``kind``; a value that does not parse stays as written, for the audit."""
    text = f"txt(cast(({value_sql}) as varchar))"
    if status:
        return f"lower({text})"
    if kind == DATE:
        return f"coalesce(cast(d({text}) as varchar), {text})"
    if kind == DATETIME:
        return f"coalesce(strftime(dt({text}), '%Y-%m-%d %H:%M:%S'), {text})"
    if kind in (MONEY, NUMBER):
        number = f"try_cast(({value_sql}) as decimal(38, 10))" if parsed else f"num({text})"
        return f"coalesce(cast({number} as varchar), {text})"
    if kind == BOOLEAN:
        return (
            f"case when lower({text}) in {TRUE} then 'true' when lower({text}) in {FALSE} then 'false' else {text} end"
        )
    return text


def block_select(
    loaded: LoadedMapping,
    entity: str,
    block: EntityBlock,
    columns: Sequence[str],
    where: Sequence[str | int],
    lookups: dict[str, tuple[str, list[str]]] | None = None,
) -> tuple[list[str], str | None]:
    """(select-list items ``<sql> as "<canonical column>"`` for every canonical column, the row filter)."""
    grouped = group_keys(loaded, entity, block, columns, where)
    items = []
    for name, kind in ENTITIES[entity].items():
        source = block.columns.get(name)
        at = (*where, "columns", name)
        status = entity == "opportunities" and name == "status"
        if source is None:
            sql = "null"
        elif isinstance(source, str):
            sql = normalise(
                kind, quote(check_column(source, columns, loaded, at, grouped)), parsed=False, status=status
            )
        elif isinstance(source, Const):
            sql = literal(source.const)
        elif isinstance(source, Mapped) and source.optional and resolve(source.column, columns) is None:
            sql = literal(source.default)  # the column is absent: every row as if blank
        elif isinstance(source, Mapped):
            raw = f"txt({quote(check_column(source.column, columns, loaded, (*at, 'column'), grouped))})"
            if source.mixed_only:
                raw = f"case when count(distinct upper({raw})) over () > 1 then {raw} end"
            if source.lookup is not None:
                table, lookup_columns = (lookups or {})[name]
                key = quote(check_column(source.lookup.key, lookup_columns, loaded, (*at, "lookup", "key")))
                value = quote(check_column(source.lookup.value, lookup_columns, loaded, (*at, "lookup", "value")))
                # the lookup file's columns are renamed in a derived table, so a key column named like the
                # mapped file's column (Region → Region) cannot capture the outer reference
                raw = (
                    f"(select any_value(txt(l._lookup_value)) from (select {value} as _lookup_value, {key} as "
                    f"_lookup_key from {table}) l where txt(l._lookup_key) = {raw})"
                )
            whens = " ".join(
                f"when lower({raw}) = lower({literal(k)}) then {literal(v)}" for k, v in source.map.items()
            )
            fallback = literal(source.default) if source.default is not None else raw
            if status and source.default is not None:  # a blank status stays blank, for the audit: a total line
                whens = f"when {raw} is null then null {whens}"  # below the deals is no open deal
            sql = normalise(
                kind, f"case {whens} else {fallback} end" if whens else fallback, parsed=False, status=status
            )
        else:
            assert isinstance(source, Expr)
            checked = check_expression(source.expr, columns, loaded, (*at, "expr"), f"{entity}.{name}", grouped)
            sql = normalise(kind, checked, parsed=True, status=status)
        items.append(f"{sql} as {quote(name)}")
    condition = None
    if block.where:
        condition = check_expression(block.where, columns, loaded, (*where, "where"), f"{entity}.where")
    return items, condition


def group_keys(
    loaded: LoadedMapping, entity: str, block: EntityBlock, columns: Sequence[str], where: Sequence[str | int]
) -> list[str] | None:
    """The block's group_by columns as the file spells them (None without group_by); else MappingError."""
    if block.group_by is None:
        return None
    if block.distinct:
        raise loaded.error(
            f"{entity}: use either distinct or group_by on one block (group_by already gives one row per group).",
            *where,
            "group_by",
        )
    return [
        check_column(name, columns, loaded, (*where, "group_by", index)) for index, name in enumerate(block.group_by)
    ]


def group_by_clause(
    loaded: LoadedMapping, entity: str, block: EntityBlock, columns: Sequence[str], where: Sequence[str | int]
) -> str:
    """`` group by …`` for a block with group_by or distinct (one row per distinct mapped record), else ''."""
    if block.distinct:
        return " group by all"
    keys = group_keys(loaded, entity, block, columns, where)
    return f" group by {', '.join(quote(k) for k in keys)}" if keys else ""


def columns_parsed_as(block: EntityBlock, entity: str, columns: Sequence[str]) -> tuple[set[str], set[str]]:
    """File columns read as numbers and as dates (for detecting the file's number and date formats)."""
    numbers: set[str] = set()
    dates: set[str] = set()
    lowered = {c.lower(): c for c in columns}
    for name, source in block.columns.items():
        kind = ENTITIES[entity][name]
        if isinstance(source, str) and source.lower() in lowered:
            if kind in (MONEY, NUMBER):
                numbers.add(lowered[source.lower()])
            elif kind in (DATE, DATETIME):
                dates.add(lowered[source.lower()])
        elif isinstance(source, Expr):
            try:
                tree = parse_one(source.expr, read="duckdb")
            except Exception:  # reported with its line by block_select
                continue
            for call in tree.find_all(exp.Anonymous):
                target = numbers if call.name.lower() == "num" else dates if call.name.lower() in ("d", "dt") else None
                if target is None:
                    continue
                for column in call.find_all(exp.Column):
                    if column.name.lower() in lowered:
                        target.add(lowered[column.name.lower()])
    return numbers, dates
