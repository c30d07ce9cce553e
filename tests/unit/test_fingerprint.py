"""The build fingerprint (pipelines/lib/transform/fingerprint.py): what makes the next run rebuild the marts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.transform.fingerprint import build_inputs_fingerprint, nothing_new_since, record_full_build


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
