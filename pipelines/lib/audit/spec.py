"""What an object's columns must be (``Spec``), apart from the rules that judge them (rules.py).

Kept free of Great Expectations: the ingest and the mapping files read the specs, and a run with nothing new
never imports GX (seconds of start-up).
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    # date column → the column naming its grain: the date must start a period of that grain (a week on a Monday;
    # a month, quarter or year on the 1st of a month; a day any day); rule <column>__starts_its_grain
    period_starts: dict[str, str] = field(default_factory=dict)
    # currency column → the date its amounts convert on: a currency other than the reporting one must have a rate
    # that day, of its own and of the reporting currency (pipelines/lib/audit/currency.py); rule <column>__has_rate
    converts: dict[str, str] = field(default_factory=dict)
    # columns that together identify a record of an object without an id (staging keeps one row per key):
    # rule <first>__unique_per_<others>; every line of a key found twice in one file is quarantined, naming
    # the other lines. The key compares what staging compares: dates parsed, set and case_insensitive columns
    # lower-cased, text trimmed, a blank optional column as ''; key_expressions replace a column's part.
    unique_key: tuple[str, ...] = ()
    case_insensitive: tuple[str, ...] = ()
    key_expressions: dict[str, str] = field(default_factory=dict)


def q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def unique_key_column(spec: Spec) -> str:
    return "__".join(spec.unique_key) + "__key"
