"""Every row rule is one GX expectation, and quarantine's SQL is read off it: on a table with passing and failing
rows, for every rule of every audited object, GX's unexpected count is the number of rows the quarantine SQL
picks. A rule whose two sides drift apart, or an expectation type without its SQL, fails here."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe
import pytest

from pipelines.lib.audit.currency import build_rates_table
from pipelines.lib.audit.failing_sql import failing_sql
from pipelines.lib.audit.gx_duckdb import validate_table
from pipelines.lib.audit.rules import RULE_KINDS, Scope, Spec, q, row_rules
from pipelines.lib.audit.specs import SPECS
from pipelines.lib.audit.typed_view import typed_columns
from pipelines.lib.config import AuditConfig
from pipelines.lib.ingest.canonical import CANONICAL_SPECS

CONFIG = AuditConfig()
VIEW = 'main."audit__t"'
ALL_SPECS = {**SPECS, **{f"canonical {name}": spec for name, spec in CANONICAL_SPECS.items()}}
# values each kind of column draws from: good ones, blanks, unparseable text, out of range
POOLS = {
    "required": ["x", "", "y", "  ", "z"],
    "dates": ["2024-01-15", "", "not a date", "1990-01-01", "2999-01-01", "2024-6-30", "2024-03-01"],
    "datetimes": ["2024-01-15T10:00:00.000Z", "", "garbage", "1999-12-31 23:00:00", "2024-02-01 00:00:00"],
    "amounts": ["10.5", "-1", "abc", "", "0", "1000"],
    "numbers": ["-2.5", "x", "", "3"],
    "percents": ["50", "101", "-1", "", "abc", "0.5"],
    "booleans": ["true", "FALSE", "maybe", "", "1"],
}


def pools(spec: Spec) -> dict[str, list[str]]:
    """column → the values its rows draw from (a later kind wins: a required date draws dates)."""
    out: dict[str, list[str]] = {}
    for kind, values in POOLS.items():
        out |= {c: values for c in getattr(spec, kind)}
    if spec.id:
        out[spec.id] = ["A1", "A2", " A2 ", "", "A3", "A4", "A5"]
    for c, values in spec.sets.items():
        out[c] = [*values[:4], values[0].upper() + " ", "Other", "", "50%", "it's"]  # a long set (ISO codes): a few
    if spec.stage:
        out[spec.stage] = [*CONFIG.known_stages[:3], " closed won ", "Bogus", ""]
    if spec.stage_status:
        out[spec.stage_status[0]] = [*spec.stage_status[2], "CLOSED WON", "Negotiation", ""]
    for c in spec.converts:
        out[c] = ["USD", "EUR", "", "XXX", " gbp "]  # the rates: RATES
    for c in (*spec.required_when, *spec.references, *spec.unique_key):
        out.setdefault(c, ["k1", "K1 ", "", "k2"])
    return out


# USD is the reporting currency; EUR has a dated rate from 2024-02-01, GBP and USD a static one
RATES = "select 'EUR', date '2024-02-01' union all select 'GBP', null union all select 'USD', null"


def audit_table(tmp_path: Path, spec: Spec, n: int = 60) -> tuple[str, set[str], int]:
    """The typed view over n rows drawn from the pools (the same every run), the first three lines twice."""
    columns = pools(spec)
    draw = random.Random(",".join(columns))
    rows = [tuple(draw.choice(values) for values in columns.values()) for _ in range(n)]
    rows += rows[:3]
    database = str(tmp_path / "audit.duckdb")
    with duckdb.connect(database) as con:
        con.execute("create table landed (" + ", ".join(f"{q(c)} varchar" for c in columns) + ")")
        con.executemany(f"insert into landed values ({', '.join('?' for _ in columns)})", rows)
        build_rates_table(con, "USD", RATES)
        con.execute(
            f"create table {VIEW} as select *, {', '.join(typed_columns(spec, set(columns)))} from "
            "(select *, row_number() over () + 1 as _source_line, 'sha' as _source_sha256 from landed)"
        )
    return database, set(columns), len(rows)


@pytest.mark.parametrize("name", ALL_SPECS)
def test_gx_and_the_quarantine_sql_fail_the_same_rows(tmp_path: Path, name: str) -> None:
    database, present, total = audit_table(tmp_path, ALL_SPECS[name])
    rules = row_rules(ALL_SPECS[name], present, CONFIG, VIEW)
    result = validate_table(database, "audit__t", [rule.expectation for rule in rules])
    gx_counts = {
        rule.name: outcome.result["unexpected_count"] for rule, outcome in zip(rules, result.results, strict=True)
    }
    with duckdb.connect(database, read_only=True) as con:
        sql_counts = {
            rule.name: con.execute(
                f"select count(*) from {VIEW} where {failing_sql(rule.expectation, VIEW)}"
            ).fetchone()[0]
            for rule in rules
        }
    assert sql_counts == gx_counts
    # the table tells the sides apart: every rule has rows that pass and rows that fail
    assert all(0 < n < total for n in sql_counts.values()), sql_counts


def test_every_rule_kind_yields_rules_on_some_object() -> None:
    """A declared kind that no object uses would go untested above."""
    scopes = [Scope(spec, set(pools(spec)), CONFIG, VIEW) for spec in ALL_SPECS.values()]
    used = {kind.__name__ for kind in RULE_KINDS for scope in scopes if list(kind(scope))}
    assert used == {kind.__name__ for kind in RULE_KINDS}


def test_rules_are_named_column_and_property_once_per_object() -> None:
    for name, spec in ALL_SPECS.items():
        names = [rule.name for rule in row_rules(spec, set(pools(spec)), CONFIG, VIEW)]
        assert len(names) == len(set(names)), name
        assert all(rule.startswith(tuple(f"{c}__" for c in pools(spec))) for rule in names), name


def test_an_expectation_without_a_translation_is_refused() -> None:
    with pytest.raises(TypeError, match="ExpectColumnValuesToMatchRegex"):
        failing_sql(gxe.ExpectColumnValuesToMatchRegex(column="a", regex="x"), VIEW)
    with pytest.raises(ValueError, match="mostly"):
        failing_sql(gxe.ExpectColumnValuesToNotBeNull(column="a", mostly=0.5), VIEW)
