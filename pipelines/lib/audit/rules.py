"""The audit's row rules, each declared once: a rule kind below turns a Spec into named GX expectations.

A rule is one Great Expectations expectation on a column of the typed view (pipelines/lib/audit/typed_view.py).
GX runs it, pushed down to DuckDB, for the verdict, statistics and examples; the SQL that picks its failing rows
for quarantine is read off the same expectation object (pipelines/lib/audit/failing_sql.py), so there is no
second definition to keep in step. tests/unit/test_audit_rules.py checks, for every rule of every object, that
GX's unexpected count and the rows quarantined agree. Adding a rule: docs/architecture.md, "Recipe: add an audit rule".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import great_expectations.expectations as gxe

from pipelines.lib.audit.spec import Spec, q, unique_key_column
from pipelines.lib.config import AuditConfig

__all__ = ["RULE_KINDS", "Rule", "Spec", "q", "reference_rules", "row_count_rule", "row_rules", "unique_key_column"]


BOOLEAN_TEXT = ("true", "false", "1", "0")


@dataclass(frozen=True)
class Rule:
    """One row rule: its name (``<column>__<property>``), the GX expectation that judges it (its unexpected
    rows are the ones quarantined) and the offending value quarantine shows, as SQL over the view row ``v``."""

    name: str
    column: str
    expectation: gxe.Expectation
    value_sql: str


@dataclass(frozen=True)
class Scope:
    """What a rule kind reads: the object's spec, the columns its file has, the settings and the view's name."""

    spec: Spec
    present: set[str]
    config: AuditConfig
    view: str

    def has(self, *columns: str) -> bool:
        return set(columns) <= self.present


RuleKind = Callable[[Scope], Iterator[Rule]]
RULE_KINDS: list[RuleKind] = []  # in the order rules run and are reported


def rule_kind(kind: RuleKind) -> RuleKind:
    RULE_KINDS.append(kind)
    return kind


def row_rules(spec: Spec, present: set[str], config: AuditConfig, view: str) -> list[Rule]:
    scope = Scope(spec, present, config, view)
    return [rule for kind in RULE_KINDS for rule in kind(scope)]


@rule_kind
def id_rules(s: Scope) -> Iterator[Rule]:
    """The id is not blank and unique in the file."""
    c = s.spec.id
    if c and s.has(c):
        yield Rule(f"{c}__not_null", c, gxe.ExpectColumnValuesToNotBeNull(column=f"{c}__trimmed"), "null")
        yield Rule(f"{c}__unique", c, gxe.ExpectColumnValuesToBeUnique(column=f"{c}__trimmed"), q(c + "__trimmed"))


@rule_kind
def unique_key(s: Scope) -> Iterator[Rule]:
    """No two lines of the file share the key of an object without id; each names the other lines."""
    key = s.spec.unique_key
    if key and s.has(*key):
        k = q(unique_key_column(s.spec))
        # the key's parts (blank ones left out) and the file's other lines with the key
        value = (
            f"trim(regexp_replace(v.{k}, chr(31) || '+', ' ', 'g')) || ' (also line ' || (select string_agg("
            f"cast(o._source_line as varchar), ', ' order by o._source_line) from {s.view} o where o.{k} = v.{k} "
            "and o._source_line <> v._source_line) || ')'"
        )
        expectation = gxe.ExpectColumnValuesToBeUnique(column=unique_key_column(s.spec))
        yield Rule(f"{key[0]}__unique_per_{'_'.join(key[1:])}", key[0], expectation, value)


@rule_kind
def required(s: Scope) -> Iterator[Rule]:
    for c in (c for c in s.spec.required if s.has(c)):
        yield Rule(f"{c}__not_null", c, gxe.ExpectColumnValuesToNotBeNull(column=f"{c}__trimmed"), "null")


@rule_kind
def required_when(s: Scope) -> Iterator[Rule]:
    for c, (condition, _, label) in s.spec.required_when.items():
        if s.has(c, condition):
            m = f"{c}__missing_when_{label}"
            yield Rule(f"{c}__not_null_when_{label}", c, gxe.ExpectColumnValuesToBeNull(column=m), q(m))


@rule_kind
def parseable(s: Scope) -> Iterator[Rule]:
    spec = s.spec
    for c in (*spec.dates, *spec.datetimes, *spec.amounts, *spec.numbers, *spec.percents):
        if s.has(c):
            u = f"{c}__unparseable"
            yield Rule(f"{c}__parseable", c, gxe.ExpectColumnValuesToBeNull(column=u), q(u))


@rule_kind
def in_date_range(s: Scope) -> Iterator[Rule]:
    low, high = s.config.min_date, s.config.max_date()
    for c in (c for c in (*s.spec.dates, *s.spec.datetimes) if s.has(c)):
        expectation = gxe.ExpectColumnValuesToBeBetween(column=f"{c}__date", min_value=low, max_value=high)
        yield Rule(f"{c}__in_date_range", c, expectation, q(c + "__text"))


@rule_kind
def bounds(s: Scope) -> Iterator[Rule]:
    """Amounts are not negative; percents are 0..100."""
    limits = [
        *((c, "non_negative", None) for c in s.spec.amounts),
        *((c, "between_0_and_100", 100) for c in s.spec.percents),
    ]
    for c, name, high in (limit for limit in limits if s.has(limit[0])):
        expectation = gxe.ExpectColumnValuesToBeBetween(column=f"{c}__value", min_value=0, max_value=high)
        yield Rule(f"{c}__{name}", c, expectation, q(c + "__text"))


@rule_kind
def accepted_values(s: Scope) -> Iterator[Rule]:
    """Booleans, listed sets and (Salesforce) stages, compared trimmed and in any case."""
    spec = s.spec
    sets = {c: BOOLEAN_TEXT for c in spec.booleans} | {c: tuple(v.lower() for v in vs) for c, vs in spec.sets.items()}
    if spec.stage:
        sets[spec.stage] = tuple(v.lower() for v in s.config.known_stages)
    for c, values in ((c, values) for c, values in sets.items() if s.has(c)):
        name = "known_stage" if c == spec.stage else "in_accepted_values"
        expectation = gxe.ExpectColumnValuesToBeInSet(column=f"{c}__normalized", value_set=list(values))
        yield Rule(f"{c}__{name}", c, expectation, q(c + "__text"))


@rule_kind
def agrees_with_status(s: Scope) -> Iterator[Rule]:
    if s.spec.stage_status and s.has(*s.spec.stage_status[:2]):
        stage = s.spec.stage_status[0]
        c = f"{stage}__contradicts_status"
        yield Rule(f"{stage}__agrees_with_status", stage, gxe.ExpectColumnValuesToBeNull(column=c), q(c))


@rule_kind
def starts_its_grain(s: Scope) -> Iterator[Rule]:
    """A period's first day: a target for 2026-07-15 by month would match no period and silently count for none."""
    for c, grain in s.spec.period_starts.items():
        if s.has(c, grain):
            off = f"{c}__not_a_{grain}_start"
            yield Rule(f"{c}__starts_its_grain", c, gxe.ExpectColumnValuesToBeNull(column=off), q(off))


@rule_kind
def has_rate(s: Scope) -> Iterator[Rule]:
    """A deal in a currency without a rate on its close date would be summed unconverted, or not at all."""
    for c in s.spec.converts:
        if s.has(c):
            off = f"{c}__without_rate"
            yield Rule(f"{c}__has_rate", c, gxe.ExpectColumnValuesToBeNull(column=off), q(off))


@rule_kind
def ordered(s: Scope) -> Iterator[Rule]:
    for later, earlier in (pair for pair in s.spec.ordered if s.has(*pair)):
        a, b = f"{later}__date", f"{earlier}__date"
        expectation = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=a, column_B=b, or_equal=True, ignore_row_if="either_value_is_missing"
        )
        value = f"cast(v.{q(a)} as varchar) || ' < ' || cast(v.{q(b)} as varchar)"
        yield Rule(f"{later}__not_before_{earlier}", later, expectation, value)


def row_count_rule(previous_rows: int | None, config: AuditConfig) -> gxe.Expectation | None:
    if not previous_rows or config.row_count_min_ratio <= 0:
        return None
    return gxe.ExpectTableRowCountToBeBetween(min_value=math.ceil(previous_rows * config.row_count_min_ratio))


def reference_rules(spec: Spec, present: set[str], parents_with_rows: dict[str, str]) -> dict[str, gxe.Expectation]:
    """column → an expectation that no row points at a parent id found in neither raw nor landing: the lookup is
    the typed table's ``<column>__unresolved`` (pipelines/lib/audit/typed_view.py, unresolved_columns)."""
    rules = {}
    for column, parent in spec.references.items():
        if column in present and parents_with_rows.get(parent):
            rules[column] = gxe.ExpectColumnValuesToBeInSet(
                column=f"{column}__unresolved", value_set=[False], description=f"{column} resolves to a {parent} id"
            )
    return rules
