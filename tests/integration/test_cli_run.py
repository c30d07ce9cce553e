"""`salesmetrics run` and `publish` end to end: nothing new means no rebuild (from the command line and from the
job itself, as the UI, schedules and the sensor launch it), --force rebuilds, the timing line, the page path."""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.reports import print_run_summary
from pipelines.cli.runner import run_job, transform_skipped
from pipelines.lib.sample import generate
from pipelines.lib.transform.fingerprint import build_inputs_fingerprint
from pipelines.lib.warehouse import TRANSFORM_LOG
from tests.integration.conftest import SAMPLE_END, export_root

TIMING = re.compile(r"^Done in ingest \d+\.\d s · audit \d+\.\d s · transform \d+\.\d s\.$", re.MULTILINE)
# nothing new: decided before the job starts (pipelines/lib/nothing_new.py), so no stage ran
NOTHING_NEW_TIMING = re.compile(r"^Done in \d+\.\d s, all 13 files already loaded\.$", re.MULTILINE)
NOTHING_NEW = re.compile(
    r"Nothing new since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(no export accepted, the dbt project unchanged\): the marts "
    r"are current, dbt is skipped\. \(`salesmetrics run --force` rebuilds anyway\.\)"
)


def builds(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select count(*) from {TRANSFORM_LOG}").fetchone()[0]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "120"}, prog_name="salesmetrics")
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, isolated_env: None) -> Path:
    root = tmp_path_factory.mktemp("cli_run")
    generate(root / "inbox" / "salesforce" / SAMPLE_END.isoformat(), scale=300, seed=5, end_date=SAMPLE_END)
    export_root(root)
    return root


def test_a_first_run_builds_and_prints_the_timing_of_each_stage(root: Path) -> None:
    code, output = invoke("run")
    assert code == 0, output
    assert TIMING.search(output), output
    assert "Nothing new" not in output
    assert builds(root / "warehouse.duckdb") == 1
    # Not a terminal: no progress display, only the final timing line.
    assert "0:00:" not in output and "files ·" not in output


def test_nothing_new_skips_dbt_from_the_command_line_and_force_rebuilds(root: Path) -> None:
    code, output = invoke("run")
    assert code == 0, output
    assert NOTHING_NEW.search(" ".join(output.split())), output
    assert "company scorecard" in output and NOTHING_NEW_TIMING.search(output), output
    assert builds(root / "warehouse.duckdb") == 1
    code, output = invoke("run", "--force")
    assert code == 0 and "Nothing new" not in output, output
    assert builds(root / "warehouse.duckdb") == 2


def test_nothing_new_skips_dbt_in_the_job_as_the_ui_launches_it(root: Path) -> None:
    """No tag at all (a UI launch of the job, "Materialize all"): the job itself skips, saying since when."""
    result = run_job("refresh_warehouse_job")
    said = transform_skipped(result)
    assert said is not None and said.startswith("Nothing new since ")
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path[0] == "marts"]
    assert builds(root / "warehouse.duckdb") == 2


def test_a_change_to_the_dbt_project_or_a_new_load_changes_the_fingerprint(root: Path, tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("vars:\n  stale_days: 30\n")
    (project / "models" / "m.sql").write_text("select 1")
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        before = build_inputs_fingerprint(con, project)
        (project / "dbt_project.yml").write_text("vars:\n  stale_days: 45\n")
        changed_var = build_inputs_fingerprint(con, project)
        con.execute(
            "insert into raw._ingest_log (object, sha256, loaded_at, status) values ('Opportunity', 'x', now(), "
            "'accepted')"
        )
        new_load = build_inputs_fingerprint(con, project)
        con.execute("delete from raw._ingest_log where sha256 = 'x'")
        assert build_inputs_fingerprint(con, project) == changed_var
        # a row written into raw by hand (not through an export) is new input too
        con.execute("create temp table one as select * from raw.salesforce__opportunity limit 1")
        con.execute("insert into raw.salesforce__opportunity select * from one")
        by_hand = build_inputs_fingerprint(con, project)
        con.execute("delete from raw.salesforce__opportunity where _source_line = (select _source_line from one)")
        con.execute("insert into raw.salesforce__opportunity select * from one")
        # a setting of salesmetrics.yml that dbt reads (lib/config.py dbt_settings) is part of it too; by default
        # the file's (USD, exports not complete), so naming those same settings changes nothing
        settings = {"SALES_REPORTING_CURRENCY": "USD", "SALES_OPPORTUNITY_EXPORTS_COMPLETE": "false"}
        assert build_inputs_fingerprint(con, project, settings) == build_inputs_fingerprint(con, project)
        with_settings = build_inputs_fingerprint(con, project, settings | {"SALES_REPORTING_CURRENCY": "EUR"})
        complete = build_inputs_fingerprint(con, project, settings | {"SALES_OPPORTUNITY_EXPORTS_COMPLETE": "true"})
    assert len({before, changed_var, new_load, by_hand, with_settings, complete}) == 6


def test_publish_prints_the_page_to_open(root: Path) -> None:
    code, output = invoke("publish", "monthly", "--period", "2026-05")
    assert code == 0, output
    page = root / "published" / "monthly" / "2026-05" / "v1" / "index.html"
    assert f"Open the dashboard page: {page}" in output and page.is_file()
    assert re.search(r"^Done in publish \d+\.\d s\.$", output, re.MULTILINE)


@pytest.mark.parametrize("width", [80, 99])
def test_the_run_summary_fits_the_terminal(root: Path, width: int) -> None:
    screen = io.StringIO()
    print_run_summary(Console(file=screen, width=width, soft_wrap=False), root / "warehouse.duckdb")
    lines = screen.getvalue().splitlines()
    tables = [line for line in lines if not line.startswith(("Warehouse:", "No rows", "Quarantined"))]
    assert max(len(line) for line in tables) <= width
    assert "…" not in screen.getvalue()
    assert any(line.lstrip("│ ").startswith("Revenue") for line in lines)
