"""Publication: versions and is_current, no-op on same inputs, refusal after a failed audit, analysts never blocked."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.runner import refresh_warehouse
from tests.integration.conftest import Built, copy_of_built


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Built:
    """A copy of the session's sample (4,000 deals, built once for the suite): one file copy instead of a run."""
    return copy_of_built(built, tmp_path_factory.mktemp("publish"))


def publish(built: Built, grain: str, period: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [
            "publish",
            grain,
            "--period",
            period,
            "--warehouse",
            str(built.warehouse),
            "--publish-dir",
            str(built.warehouse.parent / "published"),
        ],
    )
    return result.exit_code, " ".join(result.output.split())


def versions(built: Built, period: str) -> list[tuple]:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        return con.execute(
            "select version, is_current, count(*), sum(actual) filter (where kpi = 'revenue' and scope = 'company') "
            "from snapshots.kpi_monthly where period = ? group by all order by version",
            [period],
        ).fetchall()


def test_publish_is_versioned_and_idempotent(warehouse: Built) -> None:
    published = warehouse.warehouse.parent / "published" / "monthly" / "2026-05"
    code, output = publish(warehouse, "monthly", "2026-05")
    assert code == 0, output
    assert "new version monthly-2026-05-v1" in output
    [(version, current, rows, revenue)] = versions(warehouse, "2026-05")
    assert (version, current) == (1, True) and rows > 10
    with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
        mart_revenue = con.execute(
            "select revenue from marts.sales_by_period where grain = 'month' and period_start = '2026-05-01'"
        ).fetchone()[0]
    assert revenue == mart_revenue
    manifest = json.loads((published / "v1" / "manifest.json").read_text())
    assert manifest["version"] == 1
    assert {"kpi.csv", "kpi.parquet", "index.html", "monthly-2026-05-v1.xlsx"} <= set(manifest["files_sha256"])
    assert "interim scorecard" in manifest["source"] or manifest["source"] == "marts.kpi_scorecard"
    with duckdb.connect() as con:
        parquet_rows = con.execute(f"select count(*) from '{published / 'v1' / 'kpi.parquet'}'").fetchone()[0]
    assert parquet_rows == rows

    code, output = publish(warehouse, "monthly", "2026-05")
    assert code == 0 and "unchanged (monthly-2026-05-v1 is current)" in output
    assert len(versions(warehouse, "2026-05")) == 1

    # A late export changes a deal closed in May: publishing again makes version 2; version 1 stays readable.
    source = warehouse.export_dir / "Opportunity.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        rows_in = list(csv.DictReader(handle))
    late = next(r for r in rows_in if r["IsWon"] == "true" and r["CloseDate"].startswith("2026-05"))
    late["Amount"] = f"{float(late['Amount']) + 1000:.2f}"
    folder = warehouse.inbox / "salesforce" / "2026-07-02"
    folder.mkdir(parents=True)
    with (folder / "Opportunity.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows_in[0]))
        writer.writeheader()
        writer.writerows(rows_in)
    refresh_warehouse()
    code, output = publish(warehouse, "monthly", "2026-05")
    assert code == 0 and "new version monthly-2026-05-v2" in output
    history = versions(warehouse, "2026-05")
    assert [(v, c) for v, c, _, _ in history] == [(1, False), (2, True)]
    assert history[1][3] - history[0][3] == 1000
    assert (published / "v1" / "kpi.csv").exists() and (published / "v2" / "kpi.csv").exists()
    assert json.loads((published / "versions.json").read_text())["current_version"] == 2


def test_backfill_publishes_every_closed_week_in_one_run(warehouse: Built) -> None:
    result = CliRunner().invoke(
        app, ["publish", "weekly", "--all", "--publish-dir", str(warehouse.warehouse.parent / "published")]
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
        weeks = con.execute(
            "select count(*) from marts.sales_by_period where grain = 'week' and period_start >= '2023-01-02' "
            "and period_end <= (select max(period_end) from marts.sales_by_period where grain = 'day')"
        ).fetchone()[0]
        published = con.execute(
            "select count(distinct period), count(distinct run_id), bool_and(is_current) from snapshots.kpi_weekly"
        ).fetchone()
    assert f"{weeks} new versions, 0 unchanged" in " ".join(result.output.split())
    assert published == (weeks, 1, True)
    assert len(list((warehouse.warehouse.parent / "published" / "weekly").glob("*/v1/manifest.json"))) == weeks


def test_publish_refused_after_a_failed_audit(warehouse: Built) -> None:
    bad = warehouse.inbox / "salesforce" / "2026-07-09" / "Account.csv"
    bad.parent.mkdir(parents=True)
    bad.write_text("Id,Name\n")
    code, _ = CliRunner().invoke(app, ["run"]).exit_code, None
    assert code == 1
    code, output = publish(warehouse, "monthly", "2026-04")
    assert code == 1
    assert "the latest audit did not pass" in output and "Account.csv" in output


def test_an_open_analyst_session_does_not_block_a_run(warehouse: Built) -> None:
    copy = warehouse.warehouse.with_name("analytics.duckdb")
    assert copy.exists(), "publication refreshes the analysts' copy"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(copy)!r}, read_only=True)\n"
            "before = con.execute('select count(*) from marts.sales_by_period').fetchone()[0]\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n"
            "after = con.execute('select count(*) from marts.sales_by_period').fetchone()[0]\n"
            "print(before == after, flush=True)\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        # A corrected Account export makes the pipeline healthy again; run and publish while the session is open.
        fixed = (warehouse.export_dir / "Account.csv").read_text(encoding="utf-8").replace("\n", "\r\n")
        (warehouse.inbox / "salesforce" / "2026-07-09" / "Account.csv").write_text(fixed, encoding="utf-8")
        refresh_warehouse()
        code, output = publish(warehouse, "monthly", "2026-04")
        assert code == 0, output
        out, _ = reader.communicate("\n", timeout=60)
        assert out.strip() == "True"
    finally:
        reader.kill()
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select count(*) from snapshots.kpi_monthly where period = '2026-04'").fetchone()[0] > 0
