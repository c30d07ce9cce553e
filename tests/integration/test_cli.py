"""The command line's own words: help without type noise, a wrong argument in one line (exit 2), validate's hints."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli.progress import chunk_progress

FIXTURES = Path(__file__).parents[1] / "fixtures" / "exports"
BOX = set("╭╮╰╯│─")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100"}, prog_name="salesmetrics")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["sample", "run", "validate", "publish", "sql"])
def test_help_names_values_not_python_types(command: str) -> None:
    code, out, _ = invoke(command, "--help")
    assert code == 0
    for noise in ("<bool>", "<list[Path]>", "<path>", "<int>", "<str>", "{paths}", "{grain}", "list["):
        assert noise not in out, (noise, out)


def test_help_shows_metavars() -> None:
    assert "Usage: salesmetrics validate [OPTIONS] FILE|DIR…" in invoke("validate", "--help")[1]
    assert "Usage: salesmetrics publish [OPTIONS] weekly|monthly" in invoke("publish", "--help")[1]
    run_help = invoke("run", "--help")[1]
    assert "--inbox            DIR" in run_help and "--force" in run_help


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["publish", "yearly"],
            "salesmetrics publish: Invalid value for the grain: 'yearly' is not one of 'weekly', 'monthly'. "
            "See `salesmetrics publish --help`.",
        ),
        (["run", "--bogus"], "salesmetrics run: No such option: --bogus. See `salesmetrics run --help`."),
        (["frobnicate"], "salesmetrics: No such command 'frobnicate'. See `salesmetrics --help`."),
        (
            ["sample", "--end-date", "2026-13-01"],
            "salesmetrics sample: Invalid value: '2026-13-01' is not a date like 2026-06-30. "
            "See `salesmetrics sample --help`.",
        ),
        (
            ["sample", "--scale", "0"],
            "salesmetrics sample: Invalid value for '--scale': Input should be greater than or equal to 1. "
            "See `salesmetrics sample --help`.",
        ),
        (["validate"], "salesmetrics validate: Missing argument 'FILE|DIR'. See `salesmetrics validate --help`."),
    ],
)
def test_a_wrong_argument_is_one_line_and_exit_2(args: list[str], line: str) -> None:
    code, out, err = invoke(*args)
    assert (code, out, err) == (2, "", line + "\n")
    assert not BOX & set(err)


def test_run_refuses_an_inbox_that_does_not_exist(tmp_path: Path) -> None:
    code, out, err = invoke("run", "--inbox", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"No inbox. {tmp_path / 'nope'} is not a folder: point --inbox (or SALES_INBOX) at the folder that holds the "
        "exports, or write a sample there with `salesmetrics sample --out DIR`."
    ]
    assert not (tmp_path / "w.duckdb").exists()


def test_run_with_a_dagster_home_that_does_not_exist_says_so_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster's own error for a missing DAGSTER_HOME reached the terminal as a traceback."""
    home = tmp_path / "no_dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    shutil.copytree(FIXTURES / "hubspot", tmp_path / "inbox" / "hubspot")
    code, out, err = invoke("run", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert code == 1 and out == ""
    assert not BOX & set(err) and "Traceback" not in err
    assert " ".join(err.split()) == (
        f"The run stopped. DAGSTER_HOME is {home}, which is not a folder: Dagster keeps the run history there. "
        f"Create it (`mkdir -p {home}` and copy the project's dagster.yaml into it, as `make setup` does for "
        "data/dagster_home), point DAGSTER_HOME at the folder you meant, or unset it to run without keeping a "
        "history. Nothing was loaded or changed. No export file is at fault. (Run log: "
        + " ".join(err.split()).split("(Run log: ")[1]
    )
    assert not home.exists()


def test_validate_refuses_a_path_that_does_not_exist(tmp_path: Path) -> None:
    code, out, err = invoke("validate", str(tmp_path / "Opportunity.csv"))
    assert (code, out) == (2, "")
    assert err == f"Nothing to validate. No such file or folder: {tmp_path / 'Opportunity.csv'}.\n"


def test_validate_suggests_the_built_in_mapping_an_export_nearly_matches(tmp_path: Path) -> None:
    """A HubSpot deals export without its associations column is not recognised: say which built-in it resembles."""
    with (FIXTURES / "hubspot" / "hubspot-crm-exports-all-deals-2026-04-01.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    drop = rows[0].index("Associated Company IDs")
    with (tmp_path / "deals.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([r[:drop] + r[drop + 1 :] for r in rows])
    code, out, _ = invoke("validate", str(tmp_path / "deals.csv"))
    assert code == 0
    text = " ".join(out.split())
    assert "It looks like a hubspot deals export (8 of the 9 headers the built-in mapping" in text
    assert "pipelines/mappings/hubspot.yml recognises; missing: Associated Company IDs)" in text
    assert "pass the copy with --mapping" in text


def test_validate_never_points_at_the_quarantine_table(tmp_path: Path) -> None:
    """validate loads nothing: a file refused for its share of bad rows points at the examples it prints."""
    header = ["Id", "AccountId", "OwnerId", "Name", "StageName", "Amount", "CloseDate", "CreatedDate"]
    rows = [[f"006{i:015d}", "", "", f"Deal {i}", "Prospecting", "10", "not a date", "2026-01-01"] for i in range(9)]
    rows.append(["006999999999999999", "", "", "Good", "Prospecting", "10", "2026-02-01", "2026-01-01"])
    with (tmp_path / "Opportunity.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    code, out, err = invoke("validate", str(tmp_path / "Opportunity.csv"))
    assert code == 1
    assert "9 of 10 rows (90.0%) break a rule" in " ".join(err.split())
    assert "The first line of each rule is listed below" in " ".join(err.split())
    assert "quarantine." not in out + err
    assert "Quarantined rows (first of each rule)" in out


def test_sample_progress_counts_opportunities_on_a_terminal() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with chunk_progress(console, "Generating", 250, enabled=True) as advance:
        advance(100)
        advance(250)
    assert "250/250" in screen.getvalue()
    quiet = io.StringIO()
    with chunk_progress(Console(file=quiet, width=100), "Generating", 250, enabled=False) as advance:
        advance(250)
    assert quiet.getvalue() == ""
