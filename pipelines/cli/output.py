"""What the command prints around a run: dbt's progress lines to a log, a failed run as one paragraph."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.cli.runner import RunFailed


@contextmanager
def quiet_stdout(warehouse: Path) -> Iterator[Path]:
    """dbt's progress lines (echoed by dagster-dbt) go to a log beside the warehouse, not the terminal."""
    # Microseconds and the pid: two runs started in the same second never share (or point at) one log.
    log = warehouse.parent / "logs" / f"run-{datetime.now():%Y%m%dT%H%M%S.%f}-{os.getpid()}.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        handle = log.open("w", encoding="utf-8")
    except OSError:  # a folder it may not write, a full disk: the run says why; its log goes to the temp folder
        log = Path(tempfile.gettempdir()) / log.name
        handle = log.open("w", encoding="utf-8")
    with handle, redirect_stdout(handle):
        yield log


def run_failure_paragraph(failure: RunFailed, log: Path) -> str:
    """One paragraph for a failed refresh: where it stopped (truthfully), what happened, what to do, the logs."""
    if failure.cause:  # not a file's fault (pipelines.lib.failures): the message says what to do
        if failure.stage in ("ingest", "audit"):
            return (
                f"The run stopped at {failure.stage}, before transform. {failure} Nothing was transformed or "
                f"published: the marts are as they were. (Run log: {log}.)"
            )
        where = f" during {failure.stage}" if failure.stage else ""
        return f"The run stopped{where}. {failure} (Run log: {log}.)"
    if failure.stage in ("ingest", "audit"):
        return (
            f"The run stopped at {failure.stage}, before transform. {failure} Nothing was transformed or "
            "published: the marts are as they were. Fix or replace the file, drop it in the inbox and run again. "
            f"(Run log: {log}.)"
        )
    if failure.stage == "transform" and failure.dbt_nodes:
        logs = f"Run log: {log}" + (f"; dbt's log: {failure.dbt_log}" if failure.dbt_log else "")
        return (
            f"The run stopped during transform. {failure} The accepted exports are kept in raw; the marts are as "
            "they were (a build replaces them whole, only once every model and test passed), and so are the "
            f"analysts' copy and publications. ({logs}.)"
        )
    where = f"during {failure.stage}" if failure.stage else ""
    return f"The run stopped{' ' + where if where else ''}. {failure} (Run log: {log}.)"
