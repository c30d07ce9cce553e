"""One writer at a time: an OS file lock beside the warehouse (``<warehouse>.lock``), held for a whole run.

Every entry point takes it before its first write: ``salesmetrics run`` / ``publish`` and, through the warehouse
resource, every Dagster run (the UI, a schedule, the inbox sensor). The lock is ``fcntl.flock`` on the file, so
the OS releases it when its process ends, killed or not; the file records who holds it (pid, start time, entry
point) so a second run can say who it waited for. A second run waits ``runs.lock_wait_seconds``
(salesmetrics.yml), then stops without having written anything.

Within one process the lock is re-entrant: the CLI takes it, then the job it runs in-process takes it again.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.lib.warehouse_holder import analyst_fix, duckdb_holder


class WarehouseBusy(Exception):
    """The warehouse is being written by another run, or held open by another program; nothing was done."""


_held: dict[Path, list[int]] = {}  # lock file → [file descriptor, depth], for the re-entrant case
_guard = threading.Lock()


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def read_holder(path: Path) -> dict[str, object]:
    """Who the lock file says holds it ({} when it cannot tell: empty, being written, or gone)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def busy_message(holder: dict[str, object], waited: float) -> str:
    who = ", ".join(
        part
        for part in (
            f"pid {holder['pid']}" if holder.get("pid") else "",
            f"started {holder['started']}" if holder.get("started") else "",
            f"from {holder['entry']}" if holder.get("entry") else "",
        )
        if part
    )
    return (
        f"Another run ({who or 'holder unknown'}) is writing the warehouse; this run did nothing "
        f"(waited {waited:g} s, runs.lock_wait_seconds in salesmetrics.yml). Run again when it has finished."
    )


def _try_lock(path: Path) -> int | None:
    """A descriptor holding the lock on the file now at ``path``, or None when another process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    try:  # a run finishing unlinks the file: the lock must be on the file that is at the path now
        same = os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return _try_lock(path)
    return fd


def acquire(warehouse: Path, entry: str, wait_seconds: float) -> bool:
    """Take the writer lock (True), or deepen it when this process holds it (False); WarehouseBusy after the wait."""
    path = lock_path(warehouse)
    with _guard:
        if path in _held:
            _held[path][1] += 1
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(wait_seconds, 0)
    while (fd := _try_lock(path)) is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WarehouseBusy(busy_message(read_holder(path), wait_seconds))
        time.sleep(min(0.5, remaining))
    holder = {"pid": os.getpid(), "started": datetime.now().astimezone().isoformat(timespec="seconds"), "entry": entry}
    os.ftruncate(fd, 0)
    os.write(fd, (json.dumps(holder) + "\n").encode())
    with _guard:
        _held[path] = [fd, 1]
    return True


def release(warehouse: Path) -> None:
    path = lock_path(warehouse)
    with _guard:
        held = _held.get(path)
        if held is None:
            return
        held[1] -= 1
        if held[1] > 0:
            return
        del _held[path]
    path.unlink(missing_ok=True)  # while still locked: a waiter that opened it sees it is gone and retries
    os.close(held[0])


def wait_for_writable(warehouse: Path, wait_seconds: float) -> None:
    """Wait until DuckDB can open the warehouse for writing; raise WarehouseBusy naming who holds it.

    A DuckDB session in another process (the CLI, a notebook, even read-only) blocks every writer; DuckDB
    refuses at once, naming the process, so this polls without backoff and gives up after the wait.
    """
    if warehouse.exists():
        connect_writer(str(warehouse), {}, wait_seconds).close()


@contextmanager
def writer_lock(warehouse: Path, entry: str, wait_seconds: float) -> Iterator[None]:
    """The whole block holds the warehouse's writer lock, and starts only once DuckDB can write the file."""
    warehouse = warehouse.expanduser().resolve()
    first = acquire(warehouse, entry, wait_seconds)
    try:
        if first:
            wait_for_writable(warehouse, wait_seconds)
        yield
    finally:
        release(warehouse)


def connect_writer(database: str, config: dict[str, object], wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """A read-write connection; a program holding the file open is named (WarehouseBusy) after the wait."""
    config = {"custom_user_agent": "dagster", **config}
    deadline = time.monotonic() + max(wait_seconds, 0)
    while True:
        try:
            return duckdb.connect(database, read_only=False, config=config)
        except duckdb.IOException as exc:
            holder = duckdb_holder(str(exc))
            if holder is None:
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(analyst_fix(Path(database), holder, wait_seconds)) from None
        time.sleep(0.5)
