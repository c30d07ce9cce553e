"""The short crash-safety run in `make test` (marker `faults`; alone: pytest -m faults): 3 chained kills of
`salesmetrics run` over a whole build with a newer export waiting, one rerun; 3 of `salesmetrics publish`, one
rerun. `make faults` runs 20 and 10, each followed by a rerun and compared with clean runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.harness import main


@pytest.mark.faults
def test_random_kills_leave_whole_states(tmp_path: Path) -> None:
    short = ["--run-kills", "3", "--publish-kills", "3", "--scale", "100", "--seed", "5", "--short"]
    report = main([*short, "--workdir", str(tmp_path / "faults")])
    assert (report.run_kills, report.publish_kills) == (3, 3)
    assert report.problems == []
    # runs: per kill, nothing loaded twice, and (once the rerun made the new build) the marts and the analysts'
    # copy each one whole build; after the rerun: copy equal to the marts, nothing twice, no _build__ table, no
    # temp. Publications: per kill, no half folder; after the reruns: one version, v1 and versions.json, whole,
    # no temp.
    assert report.states_checked == 3 * (1 + 2) + 4 + 3 * 1 + 4
