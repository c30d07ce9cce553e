"""`salesmetrics sql`: the DuckDB CLI (package duckdb-cli, the same version as the pipeline's duckdb) on the
analysts' copy, read-only, opening with a description of its schemas and tables (sql_shell_init.sql).

The shell never opens the pipeline's warehouse, and the analysts' copy is replaced by a rename
(publish/analyst_copy.py), never written in place: a shell left open cannot block a run or a publication.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from pipelines.lib.publish.analyst_copy import analyst_copy_path

INIT_SQL = Path(__file__).with_name("sql_shell_init.sql")


class ShellUnavailable(Exception):
    """Why the shell cannot open: a sentence for the user."""


def duckdb_cli() -> Path:
    """The duckdb executable installed beside this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("duckdb")
    if beside.exists():
        return beside
    found = shutil.which("duckdb")
    if found is None:
        raise ShellUnavailable(
            "The DuckDB command-line shell is not installed: run `make setup` (it installs the duckdb-cli package)."
        )
    return Path(found)


def shell_command(warehouse: Path) -> list[str]:
    """The command that opens the analysts' copy beside ``warehouse`` read-only, its schemas described."""
    copy = analyst_copy_path(warehouse)
    if not copy.exists():
        raise ShellUnavailable(
            f"There is no analysts' copy at {copy} yet: it is written by every run. Run `make run` "
            "(or `salesmetrics run`) first, then `make sql` again."
        )
    return [str(duckdb_cli()), "-readonly", "-init", str(INIT_SQL), str(copy)]


def open_shell(warehouse: Path) -> None:
    """Replace this process with the DuckDB shell (so Ctrl-C and the exit code are the shell's own)."""
    command = shell_command(warehouse)
    os.execv(command[0], command)
