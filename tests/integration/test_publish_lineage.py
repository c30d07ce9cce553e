"""The publish assets' upstream in the asset graph is exactly the marts a publication reads, parsed from its SQL."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest
import sqlglot
from sqlglot import exp

from pipelines.lib.publish.restatements import SOURCES as RESTATEMENT_SOURCES
from pipelines.lib.publish.scorecard import period_rows_sql
from pipelines.lib.publish.sections import PIPELINE_BY_REP, SECTIONS, Section

PUBLISH_ASSETS = [dg.AssetKey(["snapshots", "kpi_weekly"]), dg.AssetKey(["snapshots", "kpi_monthly"])]


def tables_read(sql: str) -> set[dg.AssetKey]:
    """schema.table of every table a query reads (marts.x → the dbt asset marts/x)."""
    return {dg.AssetKey([t.db, t.name]) for t in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Table)}


def publication_reads() -> dict[str, set[dg.AssetKey]]:
    """What each part of a publication reads: the scorecard rows, then every section and its fallback."""
    scorecard, _, _ = period_rows_sql(None, "month", date(2026, 6, 1))
    parts = {"scorecard": tables_read(scorecard)}
    for section in (*SECTIONS, PIPELINE_BY_REP):
        parts[f"section {section.name} ({section.mart})"] = tables_read(section.query(", ".join(section.columns)))
    # a new version lists what changed since the previous one: the deals its period depends on, as the marts hold them
    parts["restatements"] = {dg.AssetKey(source.split(".")) for source in RESTATEMENT_SOURCES}
    return parts


def upstream(key: dg.AssetKey) -> set[dg.AssetKey]:
    from pipelines.definitions import defs

    return set(defs.resolve_asset_graph().get(key).parent_keys)


@pytest.mark.parametrize("key", PUBLISH_ASSETS, ids=lambda k: k.to_user_string())
def test_every_mart_a_publication_reads_is_upstream_of_it(key: dg.AssetKey) -> None:
    parents = upstream(key)
    missing = {part: sorted(k.to_user_string() for k in read - parents) for part, read in publication_reads().items()}
    assert {part: keys for part, keys in missing.items() if keys} == {}


@pytest.mark.parametrize("key", PUBLISH_ASSETS, ids=lambda k: k.to_user_string())
def test_nothing_upstream_of_a_publication_that_it_does_not_read(key: dg.AssetKey) -> None:
    read = set().union(*publication_reads().values())
    assert upstream(key) == read
    assert dg.AssetKey(["marts", "kpi_scorecard"]) in read


def test_a_section_reading_another_mart_is_caught() -> None:
    """The check above sees the SQL itself, not the section's declared mart."""
    section = SECTIONS[0]
    sneaky = Section(section.name, section.title, section.mart, section.columns, "", lambda c: "select 1 from marts.x")
    assert tables_read(sneaky.query("")) == {dg.AssetKey(["marts", "x"])}
