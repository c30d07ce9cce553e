"""The short crash-safety run (3 chained kills of `salesmetrics run`, 3 of `publish`, one rerun each); `make
faults` runs 20 and 10, each followed by a rerun."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.harness import main


@pytest.mark.faults
def test_random_kills_leave_whole_states(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = main(
        ["--run-kills", "3", "--publish-kills", "3", "--scale", "300", "--seed", "5", "--chained"]
        + ["--workdir", str(tmp_path / "f")]
    )
    assert (report.run_kills, report.publish_kills) == (3, 3)
    assert report.problems == []
    # after each run kill: whole marts, whole analysts' copy, no duplicate load; after the one rerun: equal
    # marts, current analysts' copy, no duplicate, no temp. After each publish kill: whole folders; after the
    # reruns: one version, two entries in the folder, whole, no temp.
    assert report.states_checked == 3 * 3 + 5 + 3 * 1 + 4
