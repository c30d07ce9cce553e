"""A bad export stops the run before transform, the marts stay exactly as they were, and a fixed file loads."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.integration.conftest import Built, copy_of_built


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, built: Built) -> Built:
    """A copy of the session's sample (4,000 deals, built once for the suite): one file copy instead of a run."""
    return copy_of_built(built, tmp_path_factory.mktemp("bad_inputs"))


def marts_content(built: Built) -> dict[str, list[tuple]]:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}


def run_cli(built: Built) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", "--inbox", str(built.inbox), "--warehouse", str(built.warehouse)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("case", "content", "words"),
    [
        ("binary", bytes(range(256)) * 64, "binary"),
        ("header_only", "Id,AccountId,StageName,CloseDate,CreatedDate\n", "header but no rows"),
    ],
)
def test_rejected_file_stops_the_run_and_leaves_marts_unchanged(
    warehouse: Built, case: str, content: bytes | str, words: str
) -> None:
    before = marts_content(warehouse)
    bad = warehouse.inbox / "salesforce" / f"2026-07-0{len(case) % 9}" / "Opportunity.csv"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())

    code, output = run_cli(warehouse)

    assert code == 1
    flat = " ".join(output.split())
    assert words in flat and "Fix:" in flat and "Opportunity.csv" in flat and "Traceback" not in output
    assert "marts are as they were" in flat
    assert flat.startswith("The run stopped at ingest, before transform.")  # the file could not be read
    assert not bad.exists()
    assert marts_content(warehouse) == before


def test_too_many_bad_rows_stop_the_run_then_a_fixed_file_loads(warehouse: Built) -> None:
    before = marts_content(warehouse)
    with (warehouse.export_dir / "Opportunity.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def write(spoiled_every: int | None, first_only: bool = False) -> None:
        with (later / "Opportunity.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            for i, row in enumerate(rows):
                bad = (first_only and i == 0) or (spoiled_every and i % spoiled_every == 0)
                writer.writerow({**row, "Amount": "-1"} if bad else row)

    later = warehouse.inbox / "salesforce" / "2026-07-15"
    later.mkdir(parents=True)
    write(spoiled_every=10)

    code, output = run_cli(warehouse)
    flat = " ".join(output.split())
    assert code == 1 and "400 of 4,000 rows (10.0%) break a rule (Amount__non_negative 400)" in flat
    assert flat.startswith("The run stopped at audit, before transform.")
    assert "audit.quarantine_max_share" in flat and "2026-07-15/Opportunity.csv" in flat
    assert marts_content(warehouse) == before

    # The fix: the same export with one bad row (under 5 %); no clean-up needed before re-running.
    write(spoiled_every=None, first_only=True)
    code, output = run_cli(warehouse)
    assert code == 0, output
    assert "1 in quarantine.salesforce__opportunity" in " ".join(output.split())
    with duckdb.connect(str(warehouse.warehouse), read_only=True) as con:
        line = con.execute(
            "select _source_line, rule from quarantine.salesforce__opportunity "
            "where _source_file like '%2026-07-15%' "
            "and _source_sha256 in (select sha256 from raw._ingest_log where status = 'accepted')"
        ).fetchall()
    assert line == [(2, "Amount__non_negative")]
    shutil.rmtree(later)
