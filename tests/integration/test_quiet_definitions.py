"""Loading the definitions prints nothing: `salesmetrics run` and `salesmetrics publish` open with the run's own
output, not a library's warning about a parameter we chose on purpose (Dagster's BetaWarning for the publish
assets' single-run backfill policy was printed twice at the top of every run and publication)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_definitions_prints_no_warning() -> None:
    script = (
        "from pipelines.cli.runner import definitions_of\n"
        "from pipelines.definitions import defs\n"
        "for name in ('publish_monthly_snapshot_job', 'publish_weekly_snapshot_job'):\n"
        "    definitions_of(name).resolve_job_def(name)\n"
        "defs.resolve_job_def('refresh_warehouse_job')\n"
        "print('loaded')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["loaded"]
    assert done.stderr == ""
