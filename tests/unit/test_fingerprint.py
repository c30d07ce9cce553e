"""The build fingerprint (pipelines/lib/transform/fingerprint.py): what makes the next run rebuild the marts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.transform.fingerprint import (
    build_inputs_fingerprint,
    full_refresh_reason,
    nothing_new_since,
    project_digest,
    raw_state,
    record_full_build,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("vars:\n  stale_days: 30\n")
    (project / "models" / "m.sql").write_text("select 1")
    return project


def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "salesmetrics.yml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SALES_CONFIG", str(path))


def test_a_new_reporting_currency_rebuilds(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt converts every amount to publish.reporting_currency: changing it must not leave the marts in the old one."""
    con = duckdb.connect()
    settings(tmp_path, monkeypatch, "publish:\n  reporting_currency: USD\n")
    built = build_inputs_fingerprint(con, project)
    record_full_build(con, built, datetime(2026, 7, 1, 6, 0), "run-1")
    assert nothing_new_since(con, project) == (built, datetime(2026, 7, 1, 6, 0))
    settings(tmp_path, monkeypatch, "publish:\n  reporting_currency: eur\n")
    changed, since = nothing_new_since(con, project)
    assert since is None and changed != built
    # back to USD (written differently, same setting): the build of run-1 is current again
    settings(tmp_path, monkeypatch, "publish:\n  reporting_currency: usd\n  hour_of_day: 7\n")
    assert nothing_new_since(con, project) == (built, datetime(2026, 7, 1, 6, 0))


def test_settings_dbt_does_not_read_change_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = duckdb.connect()
    settings(tmp_path, monkeypatch, "publish:\n  reporting_currency: USD\n")
    before = build_inputs_fingerprint(con, project)
    settings(
        tmp_path,
        monkeypatch,
        "publish:\n  reporting_currency: USD\n  timezone: Europe/Paris\nruns:\n  lock_wait_seconds: 5\n",
    )
    assert build_inputs_fingerprint(con, project) == before


def _recorded_build(con: duckdb.DuckDBPyConnection, project: Path) -> None:
    """A raw table with one load, and a successful build that read it."""
    con.execute("create schema if not exists raw")
    con.execute('create table raw.deals ("Id" varchar, _loaded_at timestamp)')
    con.execute("insert into raw.deals values ('a', '2026-07-01 06:00'), ('b', '2026-07-01 06:00')")
    record_full_build(
        con, "x", datetime(2026, 7, 1, 7, 0), "run-1", project=project_digest(project), raw=raw_state(con)
    )


def test_only_new_loads_keep_the_build_incremental(project: Path) -> None:
    con = duckdb.connect()
    assert full_refresh_reason(con, project) == "no earlier build recorded what it read"
    _recorded_build(con, project)
    assert full_refresh_reason(con, project) is None
    con.execute("insert into raw.deals values ('a', '2026-07-02 06:00'), ('c', '2026-07-02 06:00')")
    assert full_refresh_reason(con, project) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            "delete from raw.deals where \"Id\" = 'b'",
            "raw.deals lost, replaced or back-dated rows since the last build",
        ),
        ("insert into raw.deals values ('z', '2026-06-01')", "raw.deals lost, replaced or back-dated rows since the"),
        ('alter table raw.deals add column "Amount" varchar', "raw.deals has other columns than at the last build"),
        ("create table raw.leads (_loaded_at timestamp)", "raw.leads is new since the last build"),
        ("drop table raw.deals", "raw.deals is gone since the last build"),
    ],
)
def test_raw_rows_lost_or_back_dated_or_new_columns_rebuild_in_full(project: Path, change: str, reason: str) -> None:
    con = duckdb.connect()
    _recorded_build(con, project)
    con.execute("insert into raw.deals values ('c', '2026-07-02 06:00')")  # a new load besides: still full
    con.execute(change)
    assert full_refresh_reason(con, project).startswith(reason)


def test_a_changed_model_or_setting_rebuilds_in_full(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = duckdb.connect()
    settings(tmp_path, monkeypatch, "publish:\n  reporting_currency: USD\n")
    _recorded_build(con, project)
    changed = "the dbt project or the settings dbt reads changed since the last build"
    settings(tmp_path, monkeypatch, "publish:\n  reporting_currency: EUR\n")
    assert full_refresh_reason(con, project) == changed
    settings(tmp_path, monkeypatch, "publish:\n  reporting_currency: USD\n")
    assert full_refresh_reason(con, project) is None
    (project / "models" / "m.sql").write_text("select 2")
    assert full_refresh_reason(con, project) == changed
