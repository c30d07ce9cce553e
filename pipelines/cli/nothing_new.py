"""`salesmetrics run` with nothing new: decided before the job starts, without importing Dagster, dbt or GX."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from rich.console import Console

from pipelines.cli.reports import print_run_summary
from pipelines.lib.duckdb_settings import duckdb_settings
from pipelines.lib.nothing_new import NothingNew, nothing_new_before_a_run
from pipelines.lib.settings import Paths


def nothing_new_before_the_job(paths: Paths) -> NothingNew | None:
    """NothingNew when the run would load, audit and build nothing (pipelines/lib/nothing_new.py), else None.

    Under the warehouse's writer lock, as a run; any doubt (the warehouse busy or unreadable, a file that cannot be
    read) is None: the job then runs, waits for a busy warehouse as long as runs.lock_wait_seconds says, decides
    every step itself and reports what it finds.
    """
    chosen = os.environ.get("SALES_MAPPING")
    mapping = Path(chosen).expanduser().resolve() if chosen else None
    entry = " ".join(["salesmetrics", *sys.argv[1:]])
    return nothing_new_before_a_run(paths.inbox, paths.warehouse, mapping, entry, duckdb_settings().config())


def said_nothing_new(console: Console, paths: Paths, started: float) -> bool:
    """With nothing new: say since when, print the summary and the time taken (True); else nothing (False)."""
    quiet = nothing_new_before_the_job(paths)
    if quiet is None:
        return False
    console.print(f"{quiet.message()} (`salesmetrics run --force` rebuilds anyway.)", highlight=False)
    print_run_summary(console, paths.warehouse, paths.inbox)
    loaded = f"all {quiet.files} files already loaded" if quiet.files else "no file to load"
    console.print(f"Done in {time.monotonic() - started:.1f} s, {loaded}.")
    return True
