"""A reference rule (a column must resolve to an id of its parent) reads ``<column>__unresolved``, looked up once
when the audit's typed table is built: which rows it flags, blanks and NULLs included, is what the former per-rule
subquery (kept below as OLD_QUERY) counted, and GX counts and shows the same rows."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.lib.audit.gx_duckdb import validate_table
from pipelines.lib.audit.rules import reference_rules
from pipelines.lib.audit.spec import Spec
from pipelines.lib.audit.typed_view import unresolved_columns

SPEC = Spec(id=None, references={"AccountId": "Account"})
PARENTS = {"Account": "accounts"}
# line → AccountId: found in raw, found trimmed, found in landing, missing, blank, spaces, NULL, other case, longer
CHILD = {2: "A1", 3: " A2 ", 4: "A3", 5: "A9", 6: "", 7: "   ", 8: None, 9: "a1", 10: "A1 x"}
# the expectation's query before the lookup moved into the typed table (which then kept AccountId as landed)
OLD_QUERY = (
    'select * from landing.child where nullif(trim("AccountId"), \'\') is not null and trim("AccountId") not in '
    '(select "Id" from raw."accounts" union all select "Id" from landing."accounts")'
)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET memory_limit='2GB'")
    con.execute("create schema raw; create schema landing")
    con.execute("create table raw.accounts as select * from (values ('A1'), ('A2')) v(Id)")
    con.execute("create table landing.accounts as select * from (values ('A3')) v(Id)")
    con.execute("create table landing.child (_source_line integer, AccountId varchar)")
    con.executemany("insert into landing.child values (?, ?)", list(CHILD.items()))
    yield con
    con.close()


def typed(con: duckdb.DuckDBPyConnection) -> dict[int, object]:
    items = unresolved_columns(SPEC, {"AccountId"}, PARENTS)
    con.execute(f"create or replace temp table t as select _source_line, {', '.join(items)} from landing.child")
    return dict(con.execute('select _source_line, "AccountId__unresolved" from t order by 1').fetchall())


def old_lines(con: duckdb.DuckDBPyConnection) -> list[int]:
    return sorted(line for (line, *_) in con.execute(f"select _source_line from ({OLD_QUERY})").fetchall())


def test_flags_the_values_no_parent_id_matches(con: duckdb.DuckDBPyConnection) -> None:
    flags = typed(con)
    assert flags == {2: False, 3: False, 4: False, 5: True, 6: False, 7: False, 8: False, 9: True, 10: True}
    assert [line for line, flagged in flags.items() if flagged] == old_lines(con) == [5, 9, 10]


def test_a_null_parent_id_flags_nothing_as_not_in_did(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("insert into landing.accounts values (null)")
    flags = typed(con)
    assert set(flags.values()) == {False}
    assert old_lines(con) == []


def test_no_column_without_the_column_or_a_parent_with_rows() -> None:
    assert unresolved_columns(SPEC, {"Name"}, PARENTS) == []
    assert unresolved_columns(SPEC, {"AccountId"}, {}) == []
    assert reference_rules(SPEC, {"AccountId"}, {}) == {}


def test_gx_counts_and_shows_the_flagged_rows(con: duckdb.DuckDBPyConnection) -> None:
    typed(con)
    rule = reference_rules(SPEC, {"AccountId"}, PARENTS)["AccountId"]
    [outcome] = validate_table(con, "t", [rule]).results
    assert not outcome.success
    assert outcome.result["unexpected_count"] == 3
    assert [row["_source_line"] for row in outcome.result["partial_unexpected_index_list"]] == [5, 9, 10]
