"""Other processes that hold the warehouse for real: a run's writer lock, an analyst's read-only DuckDB session."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_LOCK = """
import sys
from pathlib import Path
from pipelines.lib.run_lock import acquire
acquire(Path(sys.argv[1]), sys.argv[2], 0)
print("held", flush=True)
sys.stdin.read()
"""

_SESSION = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
sys.stdin.read()
"""


@contextmanager
def _process(script: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """A Python process running ``script``, once it printed that it holds what it holds; ended after the block."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() in ("held", "open")
        yield process
    finally:
        process.kill()
        process.wait()


@contextmanager
def run_holding_lock(warehouse: Path, entry: str = "salesmetrics run") -> Iterator[subprocess.Popen[str]]:
    """Another run: a process holding the warehouse's writer lock, as ``entry``."""
    with _process(_LOCK, str(warehouse), entry) as process:
        yield process


@contextmanager
def analyst_session(warehouse: Path) -> Iterator[subprocess.Popen[str]]:
    """An analyst's DuckDB session on the warehouse itself, read-only, left open."""
    with _process(_SESSION, str(warehouse)) as process:
        yield process
