"""The content half of a published version's fingerprint: the same rows must give the same digest as the versions
already published had (else publishing an unchanged period again would make a new version)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.lib.publish.snapshots import period_digest

ROWS = """select * from (values
    ('month', 'rep', 'r1 x', 'Ann, the "first"', 'revenue', 10.50::decimal(38, 6), null::double, true),
    ('month', 'rep', 'r1', 'Bob', 'revenue', -3.25::decimal(38, 6), 0.5::double, null),
    ('month', 'rep', 'r1', 'Bob', 'deals_won', 9::decimal(38, 6), -0.125::double, false),
    ('month', 'team', null, 'Inside Sales', 'revenue', null, 1e-9::double, true),
    ('month', 'company', 'company', 'Company', 'revenue', 1000000.000001::decimal(38, 6), 2.0::double, true)
) as t(grain, scope, scope_id, scope_name, kpi, actual, change_pct, higher_is_better)"""
BEFORE = "select md5(string_agg(_period::varchar, '\n' order by all)) from _period"  # how versions were fingerprinted


@pytest.mark.parametrize("order", ["", "order by scope, scope_id, kpi", "order by scope_name desc"])
def test_the_digest_is_the_one_published_versions_were_fingerprinted_with(order: str) -> None:
    with duckdb.connect() as con:
        con.execute(f"create temp table _period as {ROWS} {order}")
        as_text = con.execute(
            "select md5(string_agg(_period::varchar, '\n' order by _period::varchar)) from _period"
        ).fetchone()[0]
        assert period_digest(con) == con.execute(BEFORE).fetchone()[0] != as_text
