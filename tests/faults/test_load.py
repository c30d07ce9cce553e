"""The short load run (marker `load`, left out of `make test` by pyproject's addopts; run it: pytest -m load): two
daily exports of 40 opportunities drop within 4 simulated minutes of sensor ticks every 30 s, so the second lands
while the first run is going.
`make faults LOAD_ONLY=1` runs an hour of ticks with six exports of 500 (tests/faults/load.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.load import main


@pytest.mark.load
def test_drops_during_runs_load_once_and_match_a_clean_run(tmp_path: Path) -> None:
    report = main(["--scale", "40", "--days", "2", "--minutes", "4", "--seed", "3", "--workdir", str(tmp_path)])
    assert report.problems == []
    assert report.failed == [] and report.rejected == 0
    files = 2 * 13  # 13 files per export: 10 Salesforce objects and the three company files
    assert (report.files, report.loaded_once) == (files, files)
    assert report.dropped_during_run > 0  # some files landed while a run was ingesting or building
    assert report.runs >= 2 and report.ticks >= 8  # 4 minutes of ticks, and runs beyond
    assert report.marts >= 20 and report.differences == {}
