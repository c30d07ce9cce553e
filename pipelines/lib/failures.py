"""What truly stopped a run, from the error it raised: another run or program holding the warehouse, a full disk,
a folder the pipeline may not write, DuckDB out of memory, dbt killed from outside. Each has its own message and
fix; none of them is a file's fault, so none says "fix the file" (a refused file says so itself, FileRejected).
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.warehouse_holder import analyst_fix, duckdb_holder

NOT_YOUR_FILE = "No export file is at fault."


@dataclass(frozen=True)
class Cause:
    kind: str  # busy | disk_full | no_permission | out_of_memory | dbt_killed
    message: str  # what happened and what to do, for people


_OUR_BUSY = ("is writing the warehouse; this run did nothing", "the copy that never blocks a run")
_LOCKED_FILE = re.compile(r'Could not set lock on file "(?P<path>[^"]+)"')
_DISK_FULL = re.compile(r"No space left on device|\[Errno 28\]|disk is full", re.IGNORECASE)
_NO_PERMISSION = re.compile(r"Permission denied|\[Errno 13\]|Read-only file system|\[Errno 30\]")
_OUT_OF_MEMORY = re.compile(r"Out of Memory Error|OutOfMemoryException|MemoryError")
_DBT_EXIT = re.compile(r"The dbt CLI process with command.*?failed with exit code `(-?\d+)`", re.DOTALL)
_DIED = re.compile(r"died with <Signals\.(SIG\w+)")
# The file or folder an OS or DuckDB error names: 'path' (Python's OSError) or "path" (DuckDB).
_PATH = re.compile(r"""(?:file|directory|File|Directory)?\s*["'](?P<path>/[^"']+)["']""")


def _path_in(text: str) -> str:
    found = _PATH.search(text)
    return found["path"] if found else "a file"


def _first_line(text: str) -> str:
    """The error's first line, without the exception's class ("_duckdb.OutOfMemoryException: ")."""
    first = text.strip().splitlines()[0] if text.strip() else text
    return re.sub(r"^[\w.]*\.\w+: ", "", first)


def classify(text: str) -> Cause | None:
    """The cause an error's text shows, or None (a refused file, our own bug, or something not known here)."""
    if any(mark in text for mark in _OUR_BUSY):
        return Cause("busy", text.strip())
    locked = _LOCKED_FILE.search(text)
    holder = duckdb_holder(text)
    if locked and holder:
        return Cause("busy", analyst_fix(Path(locked["path"]), holder, None))
    if _DISK_FULL.search(text):
        where = _path_in(text)
        return Cause(
            "disk_full",
            f"The disk is full: {where} could not be written (no space left on device). Free space on that disk, "
            f"or move the warehouse (SALES_WAREHOUSE) to a larger one, then run again. {NOT_YOUR_FILE}",
        )
    if _NO_PERMISSION.search(text):
        where = _path_in(text)
        why = "is on a read-only file system" if "Read-only" in text or "Errno 30" in text else "may not be written"
        return Cause(
            "no_permission",
            f"{where} {why} by the user running the pipeline. Give that user write access to its folder, or point "
            f"SALES_WAREHOUSE / SALES_PUBLISH_DIR / SALES_REJECTED_DIR at a writable folder, then run again. "
            f"{NOT_YOUR_FILE}",
        )
    if _OUT_OF_MEMORY.search(text):
        return Cause(
            "out_of_memory",
            f"DuckDB ran out of memory ({_first_line(text)}). Raise DuckDB's memory limit or run where there is "
            f"more memory (fewer threads need less), then run again. {NOT_YOUR_FILE}",
        )
    code, died = _DBT_EXIT.search(text), _DIED.search(text)
    name = _signal_name(int(code[1])) if code else died[1] if died and "dbt" in text else None
    if name:
        return Cause(
            "dbt_killed",
            f"dbt was stopped from outside by {name} before it finished (SIGKILL is often the system running out of "
            "memory: see `dmesg`). The analysts' copy and the publications are unchanged. Run again. "
            f"{NOT_YOUR_FILE}",
        )
    return None


def _signal_name(exit_code: int) -> str | None:
    """The signal that ended a process, from its exit code (-9 from Python, 137 from a shell), else None."""
    number = -exit_code if exit_code < 0 else exit_code - 128 if exit_code > 128 else 0
    if not number:
        return None
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
