"""The audit suites as code: per object, a typed view over a landed file and the rules it must meet.

Each row rule is written once and yields both a Great Expectations expectation (run by GX, pushed down
to DuckDB, for the verdict, statistics and examples) and the SQL condition that picks its failing rows
for quarantine. Tests check that both agree on every rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import great_expectations.expectations as gxe

from pipelines.lib.config import AuditConfig
from pipelines.lib.ingest.salesforce import ExportObject


@dataclass(frozen=True)
class Spec:
    """What each column of an object must be, beyond text."""

    id: str | None = "Id"
    required: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    datetimes: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()  # decimals that cannot be negative
    numbers: tuple[str, ...] = ()  # decimals of any sign
    percents: tuple[str, ...] = ()  # 0..100
    booleans: tuple[str, ...] = ()
    stage: str | None = None
    sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ordered: tuple[tuple[str, str], ...] = ()  # (later, earlier): later may not be before earlier
    references: dict[str, str] = field(default_factory=dict)  # column → parent object name
    # column → (condition column, values, label): the column may not be blank where the condition column
    # (trimmed, any case) is one of the values; rule <column>__not_null_when_<label>
    required_when: dict[str, tuple[str, tuple[str, ...], str]] = field(default_factory=dict)
    # (stage column, status column, {stage label: the status it implies}): a row whose stage (trimmed, any
    # case) is one of the labels must have that status; rule <stage>__agrees_with_status
    stage_status: tuple[str, str, dict[str, str]] | None = None
    # columns that together identify a record of an object without an id (staging keeps one row per key):
    # rule <first>__unique_per_<others>; every line of a key found twice in one file is quarantined, naming
    # the other lines. The key compares what staging compares: dates parsed, set and case_insensitive columns
    # lower-cased, text trimmed, a blank optional column as ''; key_expressions replace a column's part.
    unique_key: tuple[str, ...] = ()
    case_insensitive: tuple[str, ...] = ()
    key_expressions: dict[str, str] = field(default_factory=dict)


SPECS: dict[str, Spec] = {
    "Account": Spec(required=("Name",), datetimes=("CreatedDate",), booleans=("IsDeleted",)),
    "User": Spec(required=("Name",), datetimes=("CreatedDate",), booleans=("IsActive",)),
    "Lead": Spec(
        required=("CreatedDate",),
        datetimes=("CreatedDate",),
        dates=("ConvertedDate",),
        booleans=("IsConverted",),
    ),
    "Opportunity": Spec(
        required=("StageName", "CloseDate", "CreatedDate"),
        dates=("CloseDate",),
        datetimes=("CreatedDate", "LastStageChangeDate"),
        amounts=("Amount",),
        percents=("Probability",),
        booleans=("IsClosed", "IsWon"),
        stage="StageName",
        ordered=(("CloseDate", "CreatedDate"),),
        references={"AccountId": "Account", "OwnerId": "User"},
    ),
    "OpportunityLineItem": Spec(
        required=("OpportunityId", "Product2Id"),
        amounts=("Quantity", "UnitPrice", "ListPrice", "TotalPrice"),
        dates=("ServiceDate",),
        datetimes=("CreatedDate",),
        references={"OpportunityId": "Opportunity", "Product2Id": "Product2"},
    ),
    "Product2": Spec(
        required=("Name",),
        amounts=("List_Price__c", "Unit_Cost__c"),
        booleans=("IsActive",),
        datetimes=("CreatedDate",),
    ),
    "OpportunityHistory": Spec(
        required=("OpportunityId", "StageName", "CreatedDate"),
        datetimes=("CreatedDate",),
        dates=("CloseDate",),
        amounts=("Amount",),
        percents=("Probability",),
        stage="StageName",
        references={"OpportunityId": "Opportunity"},
    ),
    "Campaign": Spec(
        required=("Name",),
        dates=("StartDate", "EndDate"),
        amounts=("ActualCost", "BudgetedCost"),
        booleans=("IsActive",),
        datetimes=("CreatedDate",),
        ordered=(("EndDate", "StartDate"),),
    ),
    "Period": Spec(
        required=("Type", "StartDate", "EndDate"),
        dates=("StartDate", "EndDate"),
        ordered=(("EndDate", "StartDate"),),
        sets={"Type": ("Month", "Quarter", "Year", "Week")},
    ),
    "ForecastingQuota": Spec(
        required=("QuotaOwnerId", "StartDate", "QuotaAmount"),
        dates=("StartDate",),
        amounts=("QuotaAmount",),
        references={"QuotaOwnerId": "User", "PeriodId": "Period"},
    ),
    # The company's own files: staging keeps one row per key (the latest export's), so two lines of one file
    # for the same key are a mistake the audit cannot settle: both are quarantined.
    "targets": Spec(
        id=None,
        required=("kpi", "scope", "grain", "period_start"),
        dates=("period_start",),
        numbers=("target_value", "growth_rate"),
        sets={"scope": ("company", "team", "rep"), "grain": ("day", "week", "month", "quarter", "year")},
        # a team or rep target names its team or rep; a company target's scope_id is ignored
        required_when={"scope_id": ("scope", ("team", "rep"), "team_or_rep")},
        unique_key=("kpi", "scope", "scope_id", "grain", "period_start"),
        case_insensitive=("kpi",),
        key_expressions={
            "scope_id": "case when lower(trim(\"scope\")) = 'company' then '' else coalesce(trim(\"scope_id\"), '') end"
        },
    ),
    "benchmarks": Spec(
        id=None,
        required=("kpi", "benchmark_value"),
        numbers=("benchmark_value",),
        sets={"grain": ("day", "week", "month", "quarter", "year")},
        unique_key=("kpi", "grain"),  # an empty grain (every grain) is a key of its own
        case_insensitive=("kpi",),
    ),
    "fixed_costs": Spec(
        id=None,
        required=("period_start", "period_end", "fixed_cost"),
        dates=("period_start", "period_end"),
        amounts=("fixed_cost",),
        ordered=(("period_end", "period_start"),),
        unique_key=("period_start", "period_end"),  # one line per period: costs of one period added up
    ),
}

BOOLEAN_TEXT = ("true", "false", "1", "0")


@dataclass(frozen=True)
class Rule:
    """One row rule: its name (``<column>__<property>``), the GX expectation and the SQL that finds failures."""

    name: str
    column: str
    expectation: gxe.Expectation
    failing_sql: str  # condition over the typed view
    value_sql: str  # the offending value, as text


def q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def unique_key_column(spec: Spec) -> str:
    return "__".join(spec.unique_key) + "__key"


def typed_columns(spec: Spec, present: set[str]) -> list[str]:
    """Select-list items the view adds to the landed text columns (only for columns the file has)."""
    items: list[str] = []

    def trimmed(c: str) -> str:
        return f"nullif(trim({q(c)}), '')"

    def parsed(c: str, cast: str) -> None:
        items.append(f"{q(c)} as {q(c + '__text')}")
        items.append(f"try_cast({trimmed(c)} as {cast}) as {q(c + '__value')}")
        items.append(
            f"case when {trimmed(c)} is not null and try_cast({trimmed(c)} as {cast}) is null "
            f"then {q(c)} end as {q(c + '__unparseable')}"
        )

    for c in (*spec.dates, *spec.datetimes):
        if c in present:
            parsed(c, "date" if c in spec.dates else "timestamp")
            if c in spec.datetimes:
                items.append(f"cast(try_cast({trimmed(c)} as timestamp) as date) as {q(c + '__date')}")
            else:
                items.append(f"{q(c + '__value')} as {q(c + '__date')}")
    for c in (*spec.amounts, *spec.numbers, *spec.percents):
        if c in present:
            parsed(c, "decimal(18, 4)")  # not (38, 6): a 128-bit decimal parses ~50x slower in DuckDB
    for c in (*spec.booleans, *([spec.stage] if spec.stage else []), *spec.sets):
        if c in present:
            items.append(f"lower(trim({q(c)})) as {q(c + '__normalized')}")
            items.append(f"{q(c)} as {q(c + '__text')}")
    for c in filter(None, (spec.id, *spec.required)):
        if c in present:
            items.append(f"{trimmed(c)} as {q(c + '__trimmed')}")
    if spec.unique_key and set(spec.unique_key) <= present:
        parts, needed = [], []
        for c in spec.unique_key:
            if c in spec.key_expressions:
                part = spec.key_expressions[c]
            elif c in spec.dates:
                part = f"cast(try_cast({trimmed(c)} as date) as varchar)"  # 2026-7-1 is 2026-07-01
            elif c in spec.sets or c in spec.case_insensitive:
                part = f"lower({trimmed(c)})"
            else:
                part = trimmed(c)
            if c in spec.required or c == spec.id:
                needed.append(part)
            parts.append(f"coalesce({part}, '')")
        items.append(
            f"case when {' and '.join(p + ' is not null' for p in dict.fromkeys(needed)) or 'true'} "
            f"then {' || chr(31) || '.join(parts)} end as {q(unique_key_column(spec))}"
        )
    if spec.stage_status and {spec.stage_status[0], spec.stage_status[1]} <= present:
        stage, status, implied = spec.stage_status
        labels = ", ".join("'" + label.lower().replace("'", "''") + "'" for label in implied)
        whens = " ".join(f"when '{label.lower()}' then '{value}'" for label, value in implied.items())
        items.append(
            f"case when lower(trim({q(stage)})) in ({labels}) "
            f"and (case lower(trim({q(stage)})) {whens} end) is distinct from lower(trim({q(status)})) "
            f"then {q(stage)} || ' (status ' || coalesce(nullif(trim({q(status)}), ''), 'blank') || ')' end "
            f"as {q(stage + '__contradicts_status')}"
        )
    for c, (condition, values, label) in spec.required_when.items():
        if c in present and condition in present:
            listed = ", ".join("'" + v.lower().replace("'", "''") + "'" for v in values)
            items.append(
                f"case when lower(trim({q(condition)})) in ({listed}) and {trimmed(c)} is null "
                f"then {q(condition)} end as {q(c + '__missing_when_' + label)}"
            )
    return items


def row_rules(obj: ExportObject, spec: Spec, present: set[str], config: AuditConfig, view: str) -> list[Rule]:
    rules: list[Rule] = []
    low, high = config.min_date, config.max_date()

    def add(name: str, column: str, expectation: gxe.Expectation, failing: str, value: str) -> None:
        rules.append(Rule(f"{column}__{name}", column, expectation, failing, value))

    if spec.id and spec.id in present:
        t = q(spec.id + "__trimmed")
        add(
            "not_null", spec.id, gxe.ExpectColumnValuesToNotBeNull(column=f"{spec.id}__trimmed"), f"{t} is null", "null"
        )
        add(
            "unique",
            spec.id,
            gxe.ExpectColumnValuesToBeUnique(column=f"{spec.id}__trimmed"),
            f"{t} in (select {t} from {view} group by {t} having count(*) > 1)",
            t,
        )
    if spec.unique_key and set(spec.unique_key) <= present:
        k = q(unique_key_column(spec))
        add(
            "unique_per_" + "_".join(spec.unique_key[1:]),
            spec.unique_key[0],
            gxe.ExpectColumnValuesToBeUnique(column=unique_key_column(spec)),
            f"{k} in (select {k} from {view} group by {k} having count(*) > 1)",
            # the key's parts (blank ones left out) and the file's other lines with the key; v is the failing
            # row in the quarantine query
            f"trim(regexp_replace(v.{k}, chr(31) || '+', ' ', 'g')) || ' (also line ' || (select string_agg("
            f"cast(o._source_line as varchar), ', ' order by o._source_line) from {view} o where o.{k} = v.{k} "
            "and o._source_line <> v._source_line) || ')'",
        )
    for c in spec.required:
        if c in present:
            t = q(c + "__trimmed")
            add("not_null", c, gxe.ExpectColumnValuesToNotBeNull(column=f"{c}__trimmed"), f"{t} is null", "null")
    for c, (condition, _, label) in spec.required_when.items():
        if c in present and condition in present:
            m = q(f"{c}__missing_when_{label}")
            add(
                f"not_null_when_{label}",
                c,
                gxe.ExpectColumnValuesToBeNull(column=f"{c}__missing_when_{label}"),
                f"{m} is not null",
                m,
            )
    for c in (*spec.dates, *spec.datetimes, *spec.amounts, *spec.numbers, *spec.percents):
        if c in present:
            u = q(c + "__unparseable")
            add("parseable", c, gxe.ExpectColumnValuesToBeNull(column=f"{c}__unparseable"), f"{u} is not null", u)
    for c in (*spec.dates, *spec.datetimes):
        if c in present:
            d = q(c + "__date")
            add(
                "in_date_range",
                c,
                gxe.ExpectColumnValuesToBeBetween(column=f"{c}__date", min_value=low, max_value=high),
                f"({d} < date '{low}' or {d} > date '{high}')",
                q(c + "__text"),
            )
    for c, low_value, high_value in [*((c, 0, None) for c in spec.amounts), *((c, 0, 100) for c in spec.percents)]:
        if c in present:
            v = q(c + "__value")
            failing = f"({v} < {low_value}" + (f" or {v} > {high_value})" if high_value is not None else ")")
            name = "non_negative" if high_value is None else "between_0_and_100"
            add(
                name,
                c,
                gxe.ExpectColumnValuesToBeBetween(column=f"{c}__value", min_value=low_value, max_value=high_value),
                failing,
                q(c + "__text"),
            )
    sets = {c: BOOLEAN_TEXT for c in spec.booleans} | {c: tuple(v.lower() for v in vs) for c, vs in spec.sets.items()}
    if spec.stage:
        sets[spec.stage] = tuple(s.lower() for s in config.known_stages)
    for c, values in sets.items():
        if c in present:
            n = q(c + "__normalized")
            listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
            name = "known_stage" if c == spec.stage else "in_accepted_values"
            add(
                name,
                c,
                gxe.ExpectColumnValuesToBeInSet(column=f"{c}__normalized", value_set=list(values)),
                f"({n} is not null and {n} not in ({listed}))",
                q(c + "__text"),
            )
    if spec.stage_status and {spec.stage_status[0], spec.stage_status[1]} <= present:
        stage = spec.stage_status[0]
        c = q(stage + "__contradicts_status")
        add(
            "agrees_with_status",
            stage,
            gxe.ExpectColumnValuesToBeNull(column=f"{stage}__contradicts_status"),
            f"{c} is not null",
            c,
        )
    for later, earlier in spec.ordered:
        if later in present and earlier in present:
            a, b = q(later + "__date"), q(earlier + "__date")
            add(
                f"not_before_{earlier}",
                later,
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=f"{later}__date",
                    column_B=f"{earlier}__date",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                f"{a} < {b}",
                f"cast({a} as varchar) || ' < ' || cast({b} as varchar)",
            )
    return rules


def row_count_rule(previous_rows: int | None, config: AuditConfig) -> gxe.Expectation | None:
    if not previous_rows or config.row_count_min_ratio <= 0:
        return None
    return gxe.ExpectTableRowCountToBeBetween(min_value=math.ceil(previous_rows * config.row_count_min_ratio))


def reference_rules(spec: Spec, present: set[str], parents_with_rows: dict[str, str]) -> dict[str, gxe.Expectation]:
    """column → an expectation that no row points at a parent id found in neither raw nor landing."""
    rules = {}
    for column, parent in spec.references.items():
        table = parents_with_rows.get(parent)
        if column in present and table:
            rules[column] = gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=(
                    f"select * from {{batch}} where nullif(trim({q(column)}), '') is not null "
                    f'and trim({q(column)}) not in (select "Id" from raw.{q(table)} '
                    f'union all select "Id" from landing.{q(table)})'
                ),
                description=f"{column} resolves to a {parent} id",
            )
    return rules
