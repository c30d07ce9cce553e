"""Who holds the warehouse open, from DuckDB's lock error (it names the process) and /proc where there is one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_CONFLICT = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


@dataclass(frozen=True)
class Holder:
    pid: int
    command: str  # the process's command line where the OS tells, else the program DuckDB names


def command_of(pid: int, fallback: str = "") -> str:
    """The command line of ``pid`` from /proc (Linux), else ``fallback``."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return fallback
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part) or fallback


def duckdb_holder(error_text: str) -> Holder | None:
    """The process DuckDB says holds the file's lock (None: the error is no lock conflict)."""
    found = _CONFLICT.search(error_text)
    if found is None:
        return None
    pid = int(found["pid"])
    return Holder(pid, command_of(pid, found["program"]))


def analyst_fix(warehouse: Path, holder: Holder, waited: float | None) -> str:
    """The message for a warehouse held open by another program; ``waited`` None: found mid-run, not waited for."""
    copy = warehouse.with_name("analytics.duckdb")
    outcome = (
        f"this run did nothing (waited {waited:g} s, runs.lock_wait_seconds in salesmetrics.yml)"
        if waited is not None
        else "this run stopped there"
    )
    return (
        f"The warehouse {warehouse} is open in another program (pid {holder.pid}: {holder.command}), and DuckDB "
        f"lets nobody write a file another process has open, even read-only; {outcome}. Close that session and "
        f"run again; to query the marts, query {copy}, the copy that never blocks a run."
    )
