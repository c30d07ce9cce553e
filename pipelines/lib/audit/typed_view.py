"""The typed view the audit runs on: the landed text columns plus, per column a rule reads, what it reads.

Every rule of pipelines/lib/audit/rules.py is an expectation on one of these derived columns (``<column>__trimmed``,
``__value``, ``__unparseable``, ``__date``, ``__normalized``, ``__text`` and the per-rule ``__key``,
``__contradicts_status``, ``__missing_when_<label>``, ``__not_a_<grain>_start``, ``__without_rate``); they exist
only for columns the file has. A reference rule reads ``<column>__unresolved`` (``unresolved_columns``).
"""

from __future__ import annotations

from pipelines.lib.audit.currency import RATES_TABLE
from pipelines.lib.audit.spec import Spec, q, unique_key_column


def trimmed(c: str) -> str:
    return f"nullif(trim({q(c)}), '')"


def quoted_list(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join("'" + v.lower().replace("'", "''") + "'" for v in values)


def _parsed(c: str, cast: str) -> list[str]:
    return [
        f"{q(c)} as {q(c + '__text')}",
        f"try_cast({trimmed(c)} as {cast}) as {q(c + '__value')}",
        f"case when {trimmed(c)} is not null and try_cast({trimmed(c)} as {cast}) is null "
        f"then {q(c)} end as {q(c + '__unparseable')}",
    ]


def _dates(spec: Spec, present: set[str]) -> list[str]:
    items: list[str] = []
    for c in (c for c in (*spec.dates, *spec.datetimes) if c in present):
        is_date = c in spec.dates
        items += _parsed(c, "date" if is_date else "timestamp")
        day = f"{q(c + '__value')}" if is_date else f"cast(try_cast({trimmed(c)} as timestamp) as date)"
        items.append(f"{day} as {q(c + '__date')}")
    return items


def _decimals(spec: Spec, present: set[str]) -> list[str]:
    # not (38, 6): a 128-bit decimal parses ~50x slower in DuckDB
    columns = (*spec.amounts, *spec.numbers, *spec.percents)
    return [item for c in columns if c in present for item in _parsed(c, "decimal(18, 4)")]


def _normalized(spec: Spec, present: set[str]) -> list[str]:
    columns = (*spec.booleans, *([spec.stage] if spec.stage else []), *spec.sets)
    return [
        item
        for c in columns
        if c in present
        for item in (f"lower(trim({q(c)})) as {q(c + '__normalized')}", f"{q(c)} as {q(c + '__text')}")
    ]


def _trimmed(spec: Spec, present: set[str]) -> list[str]:
    return [f"{trimmed(c)} as {q(c + '__trimmed')}" for c in filter(None, (spec.id, *spec.required)) if c in present]


def _key_part(spec: Spec, c: str) -> str:
    if c in spec.key_expressions:
        return spec.key_expressions[c]
    if c in spec.dates:
        return f"cast(try_cast({trimmed(c)} as date) as varchar)"  # 2026-7-1 is 2026-07-01
    if c in spec.sets or c in spec.case_insensitive:
        return f"lower({trimmed(c)})"
    return trimmed(c)


def _unique_key(spec: Spec, present: set[str]) -> list[str]:
    """The key staging compares, NULL while a required part of it is missing (that row fails not_null)."""
    if not spec.unique_key or not set(spec.unique_key) <= present:
        return []
    parts = {c: _key_part(spec, c) for c in spec.unique_key}
    needed = dict.fromkeys(parts[c] for c in spec.unique_key if c in spec.required or c == spec.id)
    joined = " || chr(31) || ".join(f"coalesce({part}, '')" for part in parts.values())
    return [
        f"case when {' and '.join(p + ' is not null' for p in needed) or 'true'} "
        f"then {joined} end as {q(unique_key_column(spec))}"
    ]


def _stage_status(spec: Spec, present: set[str]) -> list[str]:
    if not spec.stage_status or not {spec.stage_status[0], spec.stage_status[1]} <= present:
        return []
    stage, status, implied = spec.stage_status
    whens = " ".join(f"when '{label.lower()}' then '{value}'" for label, value in implied.items())
    return [
        f"case when lower(trim({q(stage)})) in ({quoted_list(list(implied))}) "
        f"and (case lower(trim({q(stage)})) {whens} end) is distinct from lower(trim({q(status)})) "
        f"then {q(stage)} || ' (status ' || coalesce(nullif(trim({q(status)}), ''), 'blank') || ')' end "
        f"as {q(stage + '__contradicts_status')}"
    ]


def _required_when(spec: Spec, present: set[str]) -> list[str]:
    return [
        f"case when lower(trim({q(condition)})) in ({quoted_list(values)}) and {trimmed(c)} is null "
        f"then {q(condition)} end as {q(c + '__missing_when_' + label)}"
        for c, (condition, values, label) in spec.required_when.items()
        if c in present and condition in present
    ]


def _period_starts(spec: Spec, present: set[str]) -> list[str]:
    """The date and its grain where the date starts no period of that grain (the fiscal year is a dbt var, so a
    quarter or year is only held to the 1st of a month)."""
    items = []
    for c, grain in spec.period_starts.items():
        if c in present and grain in present:
            day, g = f"try_cast({trimmed(c)} as date)", f"lower(trim({q(grain)}))"
            items.append(
                f"case when ({g} = 'week' and isodow({day}) <> 1) "
                f"or ({g} in ('month', 'quarter', 'year') and day({day}) <> 1) "
                f"then trim({q(c)}) || ' starts no ' || {g} || case {g} when 'week' then ' (a Monday)' "
                f"else ' (the 1st of a month)' end end as {q(c + '__not_a_' + grain + '_start')}"
            )
    return items


def _converts(spec: Spec, present: set[str]) -> list[str]:
    """The currency and day where the currency has no rate to the reporting currency that day (the rates:
    pipelines/lib/audit/currency.py, built before the view); a blank currency is the reporting currency."""
    items = []
    for c, day_column in spec.converts.items():
        if c not in present:
            continue
        code = f"upper({trimmed(c)})"
        day = f"try_cast({trimmed(day_column)} as date)" if day_column in present else "cast(null as date)"
        reporting = f"(select rate_currency from {RATES_TABLE} where is_reporting_currency)"

        def rate_on(currency: str, day: str = day) -> str:
            return (
                f"exists (select 1 from {RATES_TABLE} r where not r.is_reporting_currency and r.rate_currency = "
                f"{currency} and (r.rate_from is null or ({day} >= r.rate_from and (r.rate_to is null or {day} < "
                "r.rate_to))))"
            )

        items.append(
            f"case when {code} is not null and {code} <> {reporting} "
            f"and not ({rate_on(code)} and {rate_on(reporting)}) "
            f"then {code} || ' on ' || coalesce(cast({day} as varchar), 'no date') || ': no conversion rate to ' "
            f"|| {reporting} || ' (export DatedConversionRate or CurrencyType with it, or map a rates file)' end "
            f"as {q(c + '__without_rate')}"
        )
    return items


VIEW_PARTS = (
    _dates,
    _decimals,
    _normalized,
    _trimmed,
    _unique_key,
    _stage_status,
    _required_when,
    _period_starts,
    _converts,
)


def typed_columns(spec: Spec, present: set[str]) -> list[str]:
    """Select-list items the view adds to the landed text columns (only for columns the file has)."""
    return [item for part in VIEW_PARTS for item in part(spec, present)]


def unresolved_columns(spec: Spec, present: set[str], parent_tables: dict[str, str]) -> list[str]:
    """Per reference column whose parent has a table with rows (``parent_tables``: parent object → table), the
    lookup done once as it is built: true where the trimmed value is in neither raw nor landing's ``Id``. A blank
    never fails; NOT IN's NULLs kept (a NULL among the parent ids flags no row), so false, never NULL."""
    items = []
    for column, parent in spec.references.items():
        if column in present and (table := parent_tables.get(parent)):
            items.append(
                f'coalesce({trimmed(column)} is not null and trim({q(column)}) not in (select "Id" from raw.{q(table)} '
                f'union all select "Id" from landing.{q(table)}), false) as {q(column + "__unresolved")}'
            )
    return items
